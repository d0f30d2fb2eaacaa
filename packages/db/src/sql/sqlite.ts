import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver, SqlExecutor, SqlValue } from './driver.js';

/**
 * better-sqlite3 is synchronous; one connection serves the process. A transaction holds a queue
 * so that statements from other requests never run inside it while its async body awaits.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly direct: SqlExecutor;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    // Another process (the `token create` command) may write while the server runs.
    this.db.pragma('busy_timeout = 5000');
    this.direct = {
      query: async <T>(sql: string, params: readonly SqlValue[] = []) => this.db.prepare(sql).all(...params) as T[],
      execute: async (sql: string, params: readonly SqlValue[] = []) => this.db.prepare(sql).run(...params).changes,
    };
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.serial(() => this.direct.query<T>(sql, params));
  }

  execute(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.serial(() => this.direct.execute(sql, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(this.direct);
        this.db.exec('COMMIT');
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    await this.queue.catch(() => {});
    this.db.close();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }
}
