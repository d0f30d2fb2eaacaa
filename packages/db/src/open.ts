import { reasonOf } from '@glance-import/errors';
import { giError } from './errors.js';
import { SqlFlowPersistence } from './flows.js';
import { ImageRepository } from './images.js';
import { migrate, requireCurrentSchema, schemaStatus, type SchemaStatus } from './schema.js';
import type { SqlDriver } from './sql/driver.js';
import { PostgresDriver, type PoolSettings } from './sql/postgres.js';
import { SqliteDriver } from './sql/sqlite.js';
import { TaskRepository } from './tasks.js';
import { TokenRepository } from './tokens.js';
import { parseDatabaseUrl } from './url.js';

export interface Database {
  /** The URL, its password hidden: safe to print. */
  readonly url: string;
  readonly driver: SqlDriver;
  readonly images: ImageRepository;
  readonly tasks: TaskRepository;
  readonly tokens: TokenRepository;
  readonly flows: SqlFlowPersistence;
  /** Apply pending migrations (refusing a schema newer than this code); returns the versions applied. */
  migrate(): Promise<number[]>;
  schemaStatus(): Promise<SchemaStatus>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /**
   * What to do about the schema: `migrate` (default) applies pending migrations; `current` refuses
   * a schema that is not this code's (GI_DB_SCHEMA_OUTDATED naming `syncCommand`, or
   * GI_DB_SCHEMA_TOO_NEW), except that an empty SQLite database, the embedded default, is created;
   * `none` leaves it alone (for `db sync` and `db version`).
   */
  schema?: 'migrate' | 'current' | 'none';
  /** The command that migrates this database, for GI_DB_SCHEMA_OUTDATED's hint. */
  syncCommand?: string;
  /** PostgreSQL's connection pool. */
  pool?: PoolSettings;
}

export function databaseOn(url: string, driver: SqlDriver): Database {
  return {
    url,
    driver,
    images: new ImageRepository(driver),
    tasks: new TaskRepository(driver),
    tokens: new TokenRepository(driver),
    flows: new SqlFlowPersistence(driver),
    migrate: () => migrate(driver, url),
    schemaStatus: () => schemaStatus(driver),
    close: () => driver.close(),
  };
}

async function prepare(db: Database, o: OpenOptions): Promise<void> {
  const mode = o.schema ?? 'migrate';
  if (mode === 'migrate') await db.migrate();
  if (mode !== 'current') return;
  if (db.driver.dialect === 'sqlite' && (await db.schemaStatus()).version === 0) await db.migrate();
  else await requireCurrentSchema(db.driver, db.url, o.syncCommand ?? 'glance-import db sync');
}

/**
 * Open the database `[database] connection` names: SQLite (`sqlite:///<absolute path>`,
 * `:memory:`) or PostgreSQL (`postgresql://user:password@host:port/dbname`). PostgreSQL is reached
 * before this returns, so a wrong URL fails here (GI_DB_CONNECT_FAILED), not on the first request.
 */
export async function openDatabase(url: string, o: OpenOptions = {}): Promise<Database> {
  const target = parseDatabaseUrl(url);
  const driver = target.engine === 'sqlite' ? new SqliteDriver(target.file) : new PostgresDriver(target.connectionString, o.pool);
  const db = databaseOn(target.shown, driver);
  try {
    if (target.engine === 'postgres') {
      await driver.query('SELECT 1 AS one').catch((e: unknown) => {
        throw giError('GI_DB_CONNECT_FAILED', { url: target.shown, reason: connectFailure(e) }, { cause: e });
      });
    }
    await prepare(db, o);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}

/** node's connect errors to several addresses carry no message of their own. */
function connectFailure(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length) return e.errors.map(reasonOf).join('; ');
  return reasonOf(e) || String((e as { code?: unknown }).code ?? 'unknown error');
}
