import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { SqlDriver, SqlExecutor, SqlValue } from './driver.js';

/** How long a statement waits for another connection's write transaction before it fails. */
const BUSY_WAIT_MS = 5000;

/**
 * Prepared statements kept per connection, by SQL text. Preparing took an eighth of a list page's
 * time; repositories build the same texts again and again (an `IN` list has one per length), so a
 * few hundred cover them, and the least recently used goes when there are more.
 */
export const STATEMENT_CACHE = 256;

const isBusy = (e: unknown) => String((e as { code?: unknown }).code).startsWith('SQLITE_BUSY');

/**
 * better-sqlite3 is synchronous; one connection serves the process. A transaction holds a queue
 * so that statements from other requests never run inside it while its async body awaits.
 * Another connection (the `token create` command, a second driver in the same process) may hold
 * the write lock: a statement then waits asynchronously and tries again, for SQLite's own busy
 * wait would stop this thread, and with it a holder that lives in the same process.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly direct: SqlExecutor;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 0');
    this.direct = {
      query: async <T>(sql: string, params: readonly SqlValue[] = []) => this.statement(sql).all(...params) as T[],
      execute: async (sql: string, params: readonly SqlValue[] = []) => this.statement(sql).run(...params).changes,
    };
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.serial(() => whenFree(() => this.direct.query<T>(sql, params)));
  }

  execute(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.serial(() => whenFree(() => this.direct.execute(sql, params)));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      await whenFree(async () => this.db.exec('BEGIN IMMEDIATE'));
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

  /** Closes once the queued statements are done; calling it again is harmless. */
  async close(): Promise<void> {
    await this.queue.catch(() => {});
    if (this.db.open) this.db.close();
  }

  /** How many prepared statements are kept (for tests). */
  get cachedStatements(): number {
    return this.statements.size;
  }

  private statement(sql: string): Database.Statement {
    const kept = this.statements.get(sql);
    if (kept) {
      // Most recently used last: the first key is the one to drop.
      this.statements.delete(sql);
      this.statements.set(sql, kept);
      return kept;
    }
    const made = this.db.prepare(sql);
    this.statements.set(sql, made);
    if (this.statements.size > STATEMENT_CACHE) this.statements.delete(this.statements.keys().next().value!);
    return made;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }
}

/** Run `fn` until no other connection holds the lock it needs, for up to BUSY_WAIT_MS. */
async function whenFree<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + BUSY_WAIT_MS;
  for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
    try {
      return await fn();
    } catch (e) {
      if (!isBusy(e) || Date.now() >= deadline) throw e;
      await sleep(delay);
    }
  }
}
