import path from 'node:path';
import { giError } from './errors.js';

/** Where a `[database] connection` URL points, and the URL as it may be shown (no password). */
export type DatabaseTarget = { engine: 'sqlite'; file: string; shown: string } | { engine: 'postgres'; connectionString: string; shown: string };

/** The embedded default: one SQLite file in the data dir. */
export const defaultDatabaseUrl = (dataDir: string) => `sqlite://${path.join(path.resolve(dataDir), 'glance.sqlite')}`;

/** The URL with its password replaced, for banners, logs and error messages. */
export const hidePassword = (url: string) => url.replace(/^([a-z][\w+.-]*:\/\/[^:/@?#]*):[^@/?#]*@/i, '$1:***@');

/**
 * Parse Glance's `[database] connection` form: `sqlite:///<absolute path>`, `:memory:`, a bare file
 * path, or `postgresql://user:password@host:port/dbname`; SQLAlchemy's driver suffix
 * (`postgresql+psycopg2://`, as Glance configs write it) is accepted and dropped.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  const shown = hidePassword(url);
  if (url === 'sqlite://' || url === ':memory:') return { engine: 'sqlite', file: ':memory:', shown };
  if (url.startsWith('sqlite:///')) return { engine: 'sqlite', file: `/${url.slice('sqlite:///'.length).replace(/^\/+/, '')}`, shown };
  const scheme = /^([a-z][\w.-]*)(\+[\w.-]+)?:\/\//i.exec(url);
  if (!scheme) return { engine: 'sqlite', file: path.resolve(url), shown };
  const name = scheme[1]!.toLowerCase();
  if (name === 'postgresql' || name === 'postgres') return { engine: 'postgres', connectionString: `postgresql://${url.slice(scheme[0].length)}`, shown };
  const reason =
    name === 'sqlite'
      ? "a SQLite URL names an absolute path, 'sqlite:///<absolute path>'"
      : name === 'mysql' || name === 'mariadb'
        ? 'MySQL is not supported; use PostgreSQL or the embedded SQLite'
        : `'${scheme[0]}' is not a database this build supports (sqlite:///, postgresql://)`;
  throw giError('GI_DB_URL_INVALID', { url: shown, reason });
}
