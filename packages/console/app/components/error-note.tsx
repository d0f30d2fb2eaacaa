import { ApiError, ConnectionLost } from '../api/client';

/** An error as text: the API's message, its stable code and hint when given. */
export function ErrorNote({ error, what }: { error: unknown; what?: string }) {
  if (!error) return null;
  if (error instanceof ConnectionLost)
    return (
      <p class="note warn" role="status">
        {what ? `${what}: ` : ''}waiting for the server to answer again…
      </p>
    );
  const e = error instanceof ApiError ? error : undefined;
  return (
    <div class="note error" role="alert">
      <p>
        {what ? `${what}: ` : ''}
        {e ? e.message : String((error as Error)?.message ?? error)}
        {e?.status ? (
          <span class="muted">
            {' '}
            (HTTP {e.status}
            {e.code ? `, ${e.code}` : ''})
          </span>
        ) : null}
      </p>
      {e?.hint ? <p class="hint">{e.hint}</p> : null}
    </div>
  );
}
