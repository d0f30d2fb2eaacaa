/**
 * The one seam between the repositories and a database engine. Repositories write portable SQL
 * with `?` placeholders (no engine-specific syntax beyond `ON CONFLICT DO NOTHING`, which SQLite
 * and PostgreSQL share); a driver translates placeholders and types. All calls are async so a
 * network database fits behind the same interface.
 */
export type SqlValue = string | number | null;

export interface SqlExecutor {
  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Returns how many rows changed: conditional updates and atomic inserts rely on it. */
  execute(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

export interface SqlDriver extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Run `fn` in one transaction; other callers wait until it commits or rolls back. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** True when an error is a unique/primary-key violation, in either engine. */
export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}
