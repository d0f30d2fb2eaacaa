import { formatBytes } from '../lib/format';
import type { InspectionRecord } from '../lib/task-types';

/** Parse `os_glance_inspection` (JSON text); anything else is shown raw by the caller. */
export function parseInspection(value: unknown): InspectionRecord | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const v = JSON.parse(value) as InspectionRecord;
    return v && typeof v === 'object' && Array.isArray(v.checks) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** One run of the format inspector: verdict, what the bytes are, and each safety check. */
export function Inspection({ record }: { record: InspectionRecord }) {
  return (
    <div class="inspection" data-verdict={record.verdict}>
      <p>
        <strong>{record.phase === 'staged' ? 'Staged data' : `After ${record.phase}`}</strong>
        {': '}
        <span class={`verdict verdict-${record.verdict}`}>{record.verdict}</span>
        {` — ${record.format}`}
        {record.virtual_size !== null ? `, virtual size ${formatBytes(record.virtual_size)}` : ''}
        {record.disk_format ? `, disk_format ${record.disk_format}` : ''}
        <span class="muted small">{` (inspector ${record.inspector_version})`}</span>
      </p>
      {record.reason ? <p class="note error">{record.reason}</p> : null}
      {record.warning ? <p class="note warn">{record.warning}</p> : null}
      {record.checks.length ? (
        <table class="list compact">
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Result</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {record.checks.map((c) => (
              <tr key={c.name}>
                <td class="mono">{c.name}</td>
                <td>{c.passed ? 'passed' : c.nonfatal ? 'failed (non-fatal)' : 'failed'}</td>
                <td>{c.reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
