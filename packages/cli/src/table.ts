/** How much of a column a narrow terminal may cut, at least what stays. */
const MIN_CUT_WIDTH = 8;

/**
 * Left-aligned columns, two spaces apart; the last column is not padded. With `columns` (the
 * terminal's width) a row that would wrap is cut: the widest columns first, each down to no less
 * than a few characters, the cut marked with '…'; columns in `keep` (ids a script or a person
 * copies) are never cut. Without `columns` (a pipe, a file) nothing is cut.
 */
export function table(rows: readonly (readonly string[])[], o: { columns?: number | undefined; keep?: readonly number[] } = {}): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  if (o.columns !== undefined) fit(widths, o.columns, new Set(o.keep));
  return rows
    .map((r) =>
      r
        .map((c, i) => {
          const cell = c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c;
          return i === r.length - 1 ? cell : cell.padEnd(widths[i]!);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function fit(widths: number[], columns: number, keep: ReadonlySet<number>): void {
  const total = () => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  while (total() > columns) {
    const cuttable = widths.map((w, i) => (keep.has(i) ? 0 : w));
    const widest = cuttable.indexOf(Math.max(...cuttable));
    if (cuttable[widest]! <= MIN_CUT_WIDTH) return;
    widths[widest] = Math.max(MIN_CUT_WIDTH, widths[widest]! - (total() - columns));
  }
}

/** A record as FIELD / VALUE rows (objects and lists as JSON), keys in the given order. */
export function fields(record: Record<string, unknown>): string[][] {
  const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  return [['FIELD', 'VALUE'], ...Object.entries(record).map(([k, v]) => [k, text(v)])];
}
