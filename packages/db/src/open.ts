import path from 'node:path';
import { giError } from './errors.js';
import { SqlFlowPersistence } from './flows.js';
import { ImageRepository } from './images.js';
import { migrate } from './migrations.js';
import type { SqlDriver } from './sql/driver.js';
import { SqliteDriver } from './sql/sqlite.js';
import { TaskRepository } from './tasks.js';
import { TokenRepository } from './tokens.js';

export interface Database {
  readonly url: string;
  readonly driver: SqlDriver;
  readonly images: ImageRepository;
  readonly tasks: TaskRepository;
  readonly tokens: TokenRepository;
  readonly flows: SqlFlowPersistence;
  migrate(): Promise<number[]>;
  close(): Promise<void>;
}

/** Parse `sqlite:///abs/path` (Glance's `[database] connection` form) or a bare file path. */
export function sqlitePath(url: string): string {
  if (url === 'sqlite://' || url === ':memory:') return ':memory:';
  if (url.startsWith('sqlite:///')) return `/${url.slice('sqlite:///'.length).replace(/^\/+/, '')}`;
  if (url.includes('://')) throw giError('GI_DB_URL_INVALID', { url, reason: 'only sqlite:/// URLs are supported by this build' });
  return path.resolve(url);
}

export function databaseOn(url: string, driver: SqlDriver): Database {
  return {
    url, driver,
    images: new ImageRepository(driver), tasks: new TaskRepository(driver), tokens: new TokenRepository(driver), flows: new SqlFlowPersistence(driver),
    migrate: () => migrate(driver),
    close: () => driver.close(),
  };
}

/** Open (and migrate) the database at `url`. */
export async function openDatabase(url: string, opts: { migrate?: boolean } = {}): Promise<Database> {
  const db = databaseOn(url, new SqliteDriver(sqlitePath(url)));
  if (opts.migrate !== false) await db.migrate();
  return db;
}
