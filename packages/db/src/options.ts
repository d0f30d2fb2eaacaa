import { integer, option, string, type GlanceConfig, type GroupValues } from '@glance-import/core';
import type { PoolSettings } from './sql/postgres.js';
import { defaultDatabaseUrl } from './url.js';

/**
 * oslo.db options glance-api.conf files carry that glance-import has no use for (MySQL modes,
 * SQLAlchemy retry and debug switches): accepted so an existing file loads, and unused.
 */
const UNUSED = [
  'backend',
  'slave_connection',
  'sqlite_synchronous',
  'mysql_sql_mode',
  'mysql_wsrep_sync_wait',
  'mysql_enable_ndb',
  'max_overflow',
  'max_retries',
  'retry_interval',
  'connection_debug',
  'connection_trace',
  'connection_parameters',
  'use_db_reconnect',
  'db_retry_interval',
  'db_inc_retry_interval',
  'db_max_retry_interval',
  'db_max_retries',
  'idle_timeout',
  'min_pool_size',
  'sqlite_db',
  'asyncio_connection',
  'asyncio_slave_connection',
] as const;

/** `[database]`, with Glance's (oslo.db's) option names. */
export const databaseSchema = {
  connection: option(string(), {
    help: "The database: 'sqlite:///<absolute path>' (default <data dir>/glance.sqlite) or 'postgresql://user:password@host:5432/dbname' ('postgresql+psycopg2://' as Glance writes it works too).",
  }),
  max_pool_size: option(integer({ min: 1 }), { default: 5, help: 'PostgreSQL connections one process keeps open at most.' }),
  pool_timeout: option(integer({ min: 1 }), { default: 30, help: 'Seconds to wait for a free PostgreSQL connection before a request fails.' }),
  connection_recycle_time: option(integer({ min: 1 }), { default: 3600, help: 'Seconds after which a PostgreSQL connection is closed and replaced.' }),
  ...Object.fromEntries(UNUSED.map((name) => [name, option(string(), { help: 'Unused: an oslo.db option glance-import does not need.' })])),
};

/** The option groups this package reads, for `loadConfig({ schema })`. */
export const databaseGroups = { database: databaseSchema } as const;

export type DatabaseOptions = GroupValues<typeof databaseSchema>;

export interface DatabaseSettings {
  /** The URL to open: `[database] connection`, else the embedded default in the data dir. */
  url: string;
  /** Whether `url` is the data dir's default (so a command must be given that data dir to find it). */
  inDataDir: boolean;
  pool: PoolSettings;
}

/** What `[database]` asks for. */
export function databaseSettings(config: GlanceConfig, dataDir: string): DatabaseSettings {
  const o = config.group('database', databaseSchema);
  return {
    url: o.connection ?? defaultDatabaseUrl(dataDir),
    inDataDir: o.connection === undefined,
    pool: { max: o.max_pool_size, timeoutSeconds: o.pool_timeout, recycleSeconds: o.connection_recycle_time },
  };
}
