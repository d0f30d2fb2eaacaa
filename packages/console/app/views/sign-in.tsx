import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/error-note';

/** Sign in with a token (what `glance-import token create` prints); it stays in this tab only. */
export function SignIn({ onToken, notice, busy, error }: { onToken: (token: string) => void; notice?: string; busy: boolean; error: unknown }) {
  const [token, setToken] = useState('');
  return (
    <main class="sign-in">
      <h1>glance-import console</h1>
      {notice ? (
        <p class="note warn" role="status">
          {notice}
        </p>
      ) : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (token.trim()) onToken(token.trim());
        }}
      >
        <label for="token">Token</label>
        <input
          id="token"
          name="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          placeholder="gi_…"
        />
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <ErrorNote error={error} />
      <p class="muted small">
        A token comes from <code>glance-import token create --data-dir DIR --user U --project P --roles member</code>
        (a fresh data dir prints an admin token once). It is kept for this tab only and sent in the X-Auth-Token header; closing the tab or signing out forgets
        it.
      </p>
    </main>
  );
}
