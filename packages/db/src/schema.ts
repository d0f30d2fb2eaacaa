import { giError } from './errors.js';
import { MIGRATIONS } from './migrations.js';
import type { SqlDriver, SqlExecutor } from './sql/driver.js';

/** The schema version this code writes and reads. */
export const LATEST_SCHEMA = Math.max(...MIGRATIONS.map((m) => m.version));

export interface SchemaStatus {
  /** The highest migration applied; 0 for a database glance-import has never migrated. */
  version: number;
  latest: number;
  /** Migrations this code would apply, in order. */
  pending: number[];
}

// Any fixed number: nodes running `db sync` at once serialise on it.
const MIGRATION_LOCK = 7_250_918_001;

async function hasVersionTable(driver: SqlDriver): Promise<boolean> {
  const rows =
    driver.dialect === 'postgres'
      ? await driver.query("SELECT 1 AS one FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'")
      : await driver.query("SELECT 1 AS one FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  return rows.length > 0;
}

const appliedIn = async (ex: SqlExecutor) => (await ex.query<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version));

const statusOf = (applied: readonly number[]): SchemaStatus => ({
  version: Math.max(0, ...applied),
  latest: LATEST_SCHEMA,
  pending: MIGRATIONS.map((m) => m.version).filter((v) => !applied.includes(v)),
});

/** Where the database's schema stands against this code; reads only, so it is safe on a live database. */
export async function schemaStatus(driver: SqlDriver): Promise<SchemaStatus> {
  return statusOf((await hasVersionTable(driver)) ? await appliedIn(driver) : []);
}

/**
 * Apply every migration not applied yet, each in its own transaction, as `glance-manage db_sync`
 * does. Refuses a schema newer than this code (GI_DB_SCHEMA_TOO_NEW) before changing anything.
 * Returns the versions applied.
 */
export async function migrate(driver: SqlDriver, url: string): Promise<number[]> {
  const applied: number[] = [];
  const locked = async <T>(fn: (tx: SqlExecutor) => Promise<T>) =>
    driver.transaction(async (tx) => {
      // Several nodes may sync at once: one migrates, the others wait here, then find nothing to do.
      if (driver.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
      return fn(tx);
    });
  await locked((tx) => tx.execute('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)'));
  for (const m of MIGRATIONS) {
    await locked(async (tx) => {
      const status = statusOf(await appliedIn(tx));
      if (status.version > status.latest) throw giError('GI_DB_SCHEMA_TOO_NEW', { url, version: status.version, latest: status.latest });
      if (!status.pending.includes(m.version)) return;
      for (const s of m.statements) await tx.execute(s);
      await tx.execute('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [m.version, m.name, new Date().toISOString()]);
      applied.push(m.version);
    });
  }
  return applied;
}

/** Refuse a schema this code cannot use: too new, or not migrated (`command` is what to run). */
export async function requireCurrentSchema(driver: SqlDriver, url: string, command: string): Promise<void> {
  const s = await schemaStatus(driver);
  if (s.version > s.latest) throw giError('GI_DB_SCHEMA_TOO_NEW', { url, version: s.version, latest: s.latest });
  if (s.pending.length) throw giError('GI_DB_SCHEMA_OUTDATED', { url, version: s.version, latest: s.latest, command });
}
