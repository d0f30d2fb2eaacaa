import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteDriver, STATEMENT_CACHE } from './sqlite.js';

describe('SqliteDriver statement cache', () => {
  let dir: string;
  let db: SqliteDriver;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gi-sqlite-'));
    db = new SqliteDriver(path.join(dir, 'db.sqlite'));
    await db.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prepares a text once and reuses it, with new parameters each time', async () => {
    for (let i = 0; i < 5; i++) await db.execute('INSERT INTO t (id, v) VALUES (?, ?)', [i, `v${i}`]);
    const before = db.cachedStatements;
    for (let i = 0; i < 5; i++) expect(await db.query('SELECT v FROM t WHERE id = ?', [i])).toEqual([{ v: `v${i}` }]);
    expect(db.cachedStatements).toBe(before + 1);
  });

  it('keeps at most STATEMENT_CACHE statements, and answers right after dropping some', async () => {
    await db.execute('INSERT INTO t (id, v) VALUES (1, ?)', ['one']);
    for (let i = 0; i < STATEMENT_CACHE + 50; i++) expect(await db.query(`SELECT v, ${i} AS n FROM t`)).toEqual([{ v: 'one', n: i }]);
    expect(db.cachedStatements).toBe(STATEMENT_CACHE);
    expect(await db.query('SELECT v, 0 AS n FROM t')).toEqual([{ v: 'one', n: 0 }]);
  });

  it('a kept statement sees a schema changed after it was prepared (a migration on an open connection)', async () => {
    await db.execute('INSERT INTO t (id, v) VALUES (1, ?)', ['one']);
    expect(await db.query('SELECT * FROM t')).toEqual([{ id: 1, v: 'one' }]);
    await db.execute('ALTER TABLE t ADD COLUMN w TEXT');
    expect(await db.query('SELECT * FROM t')).toEqual([{ id: 1, v: 'one', w: null }]);
  });

  it('a statement that failed is usable again (a unique violation, then a good insert)', async () => {
    const insert = 'INSERT INTO t (id, v) VALUES (?, ?)';
    await db.execute(insert, [1, 'a']);
    await expect(db.execute(insert, [1, 'b'])).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
    expect(await db.execute(insert, [2, 'b'])).toBe(1);
    expect(await db.query('SELECT id, v FROM t ORDER BY id')).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
    ]);
  });
});
