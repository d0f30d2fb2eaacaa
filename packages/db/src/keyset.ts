import type { SqlValue } from './sql/driver.js';

/** One ORDER BY term: a trusted SQL expression (never NULL: nullable columns come COALESCEd) and its direction. */
export interface SortTerm {
  expr: string;
  dir: 'asc' | 'desc';
}

/**
 * Keyset paging: the ORDER BY of `terms` and the condition that keeps only the rows after the
 * marker row, given the marker's values of the same terms. The last term must make the order total
 * (the id). A page then costs an index seek plus LIMIT rows, wherever the marker is, instead of
 * reading every row before it.
 *
 * One direction for all terms compares row values, `(a, b, id) > (?, ?, ?)`, which both engines
 * answer from an index on (a, b, id). Mixed directions expand to Glance's `_paginate_query` chain,
 * `a > ? OR (a = ? AND b < ?) OR ...`. Then, and when the first term is an expression, it is also
 * bounded on its own (`a >= ?`): SQLite seeks an expression index from such a bound only. (Given
 * the bound on a plain column, SQLite would seek from it instead of the row value, and read every
 * row of an equal first key.)
 */
export function keyset(terms: readonly SortTerm[], marker?: readonly SqlValue[]): { orderBy: string; after?: { sql: string; params: SqlValue[] } } {
  const orderBy = terms.map((t) => `${t.expr} ${t.dir.toUpperCase()}`).join(', ');
  if (!marker) return { orderBy };
  const cmp = (t: SortTerm) => (t.dir === 'asc' ? '>' : '<');
  const first = terms[0]!;
  const oneDirection = terms.every((t) => t.dir === first.dir);
  const bound = oneDirection && /^[\w.]+$/.test(first.expr) ? undefined : { sql: `${first.expr} ${cmp(first)}= ? AND `, params: [marker[0]!] };
  if (oneDirection) {
    return {
      orderBy,
      after: {
        sql: `${bound?.sql ?? ''}(${terms.map((t) => t.expr).join(', ')}) ${cmp(first)} (${terms.map(() => '?').join(', ')})`,
        params: [...(bound?.params ?? []), ...marker],
      },
    };
  }
  const branches: string[] = [];
  const params: SqlValue[] = [...bound!.params];
  terms.forEach((t, i) => {
    const equal = terms.slice(0, i).map((p) => `${p.expr} = ?`);
    branches.push(`(${[...equal, `${t.expr} ${cmp(t)} ?`].join(' AND ')})`);
    params.push(...marker.slice(0, i), marker[i]!);
  });
  return { orderBy, after: { sql: `${bound!.sql}(${branches.join(' OR ')})`, params } };
}
