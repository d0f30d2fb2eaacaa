import { describe, expect, it } from 'vitest';
import { keyset } from './keyset.js';

describe('keyset', () => {
  it('orders by the terms and, without a marker, keeps every row', () => {
    expect(
      keyset([
        { expr: 'a', dir: 'desc' },
        { expr: 'id', dir: 'desc' },
      ]),
    ).toEqual({ orderBy: 'a DESC, id DESC' });
  });

  it('compares row values when every term has one direction, bounding an expression first term on its own', () => {
    expect(
      keyset(
        [
          { expr: 'a', dir: 'desc' },
          { expr: 'id', dir: 'desc' },
        ],
        ['x', 'i'],
      ).after,
    ).toEqual({ sql: '(a, id) < (?, ?)', params: ['x', 'i'] });
    expect(
      keyset(
        [
          { expr: "COALESCE(n, '')", dir: 'asc' },
          { expr: 'id', dir: 'asc' },
        ],
        ['x', 'i'],
      ).after,
    ).toEqual({ sql: "COALESCE(n, '') >= ? AND (COALESCE(n, ''), id) > (?, ?)", params: ['x', 'x', 'i'] });
  });

  it("expands mixed directions into Glance's chain of comparisons, bounded on the first term", () => {
    expect(
      keyset(
        [
          { expr: 'a', dir: 'asc' },
          { expr: 'b', dir: 'desc' },
          { expr: 'id', dir: 'desc' },
        ],
        [1, 2, 'i'],
      ).after,
    ).toEqual({
      sql: 'a >= ? AND ((a > ?) OR (a = ? AND b < ?) OR (a = ? AND b = ? AND id < ?))',
      params: [1, 1, 1, 2, 1, 2, 'i'],
    });
  });
});
