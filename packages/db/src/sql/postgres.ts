import pg from 'pg';
import type { SqlDriver, SqlExecutor, SqlValue } from './driver.js';

/** How the connection pool of one process behaves (Glance's `[database]` pool options). */
export interface PoolSettings {
  /** Connections kept open at most (`max_pool_size`). */
  max?: number;
  /** Seconds to wait for a free connection, connecting included (`pool_timeout`). */
  timeoutSeconds?: number;
  /** Seconds after which a connection is closed and replaced (`connection_recycle_time`). */
  recycleSeconds?: number;
}

/** `?` placeholders to PostgreSQL's `$1, $2, …`, leaving quoted literals and identifiers alone. */
export function numberedPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote) {
      // A doubled quote ('') closes and reopens: the same state either way.
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else {
      out += ch === '?' ? `$${++n}` : ch;
    }
  }
  return out;
}

const executorOn = (c: pg.Pool | pg.PoolClient): SqlExecutor => ({
  query: async <T>(sql: string, params: readonly SqlValue[] = []) => (await c.query(numberedPlaceholders(sql), [...params])).rows as T[],
  execute: async (sql: string, params: readonly SqlValue[] = []) => (await c.query(numberedPlaceholders(sql), [...params])).rowCount ?? 0,
});

/**
 * PostgreSQL through a `pg` pool. Statements outside a transaction take any free connection; a
 * transaction holds one connection from BEGIN to COMMIT, and PostgreSQL's row locks make the
 * repositories' conditional statements atomic across connections, processes and nodes.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly direct: SqlExecutor;
  private ended: Promise<void> | undefined;

  constructor(connectionString: string, settings: PoolSettings = {}) {
    this.pool = new pg.Pool({
      connectionString,
      max: settings.max ?? 5,
      connectionTimeoutMillis: (settings.timeoutSeconds ?? 30) * 1000,
      maxLifetimeSeconds: settings.recycleSeconds ?? 3600,
      application_name: 'glance-import',
    });
    // A connection that dies while idle is reported here and dropped by the pool; the next query
    // opens a new one. Unlistened, the event would end the process.
    this.pool.on('error', () => {});
    this.direct = executorOn(this.pool);
  }

  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.direct.query<T>(sql, params);
  }

  execute(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.direct.execute(sql, params);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A connection whose ROLLBACK failed is in an unknown state: it is destroyed, not reused.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const out = await fn(executorOn(client));
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw e;
    } finally {
      client.release(broken);
    }
  }

  /** Ends every connection once the running queries are done; calling it again is harmless. */
  close(): Promise<void> {
    this.ended ??= this.pool.end();
    return this.ended;
  }
}
