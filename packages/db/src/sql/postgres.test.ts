import { describe, expect, it } from 'vitest';
import { numberedPlaceholders } from './postgres.js';

describe('numberedPlaceholders', () => {
  it('numbers each ? in order, and leaves the ones inside quoted literals and identifiers', () => {
    expect(numberedPlaceholders("UPDATE images SET status = 'deleted', name = ? WHERE id = ? AND status IN (?, ?)")).toBe(
      "UPDATE images SET status = 'deleted', name = $1 WHERE id = $2 AND status IN ($3, $4)",
    );
    expect(numberedPlaceholders(`SELECT '?', 'it''s ?', "odd?name" FROM t WHERE a = ?`)).toBe(`SELECT '?', 'it''s ?', "odd?name" FROM t WHERE a = $1`);
    expect(numberedPlaceholders('SELECT 1')).toBe('SELECT 1');
  });
});
