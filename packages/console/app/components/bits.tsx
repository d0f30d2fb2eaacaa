import type { ComponentChildren } from 'preact';
import { formatBytes, percent } from '../lib/format';

/** A label/value table; values are rendered as text, whatever they hold. */
export function KeyValues({ rows }: { rows: Array<[string, ComponentChildren]> }) {
  return (
    <table class="kv">
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{v === null || v === undefined || v === '' ? <span class="muted">—</span> : v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Status({ status }: { status: string }) {
  return <span class={`status status-${status.replace(/[^a-z_-]/gi, '')}`}>{status}</span>;
}

/** A progress bar with its numbers; an unknown total shows a moving bar. */
export function Bar({ done, total, label }: { done: number | undefined; total: number | undefined; label: string }) {
  const pct = percent(done, total);
  return (
    <span class="bar">
      {pct === undefined ? <progress aria-label={label} /> : <progress aria-label={label} value={pct} max={100} />}
      <span class="bar-text">
        {formatBytes(done)}
        {total ? ` of ${formatBytes(total)}` : ''}
        {pct !== undefined ? ` (${pct.toFixed(0)}%)` : ''}
      </span>
    </span>
  );
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="panel">
      <header class="panel-head">
        <h2>{title}</h2>
        {actions ? <div class="actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}
