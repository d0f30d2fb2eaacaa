import { randomBytes } from 'node:crypto';
import { PostgresDriver, type SqlValue } from '@glance-import/db';

/** The PostgreSQL the suites use; scripts/setup starts it and creates this role and database. */
export const TEST_PG_URL = process.env.GI_TEST_PG_URL ?? 'postgresql://glance_import:glance_import@127.0.0.1:5432/glance_import_test';

export interface PostgresSchema {
  /** A `[database] connection` URL whose tables live in this schema only. */
  readonly url: string;
  /** A statement in this schema, as an operator's psql would run it. */
  sql(statement: string, params?: readonly SqlValue[]): Promise<Array<Record<string, unknown>>>;
  drop(): Promise<void>;
}

/** An empty schema of its own in the test database, so suites running at once never share tables. */
export async function postgresSchema(): Promise<PostgresSchema> {
  const name = `gi_e2e_${randomBytes(6).toString('hex')}`;
  const url = `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${name}`)}`;
  const admin = new PostgresDriver(TEST_PG_URL, { max: 1, timeoutSeconds: 10 });
  try {
    await admin.execute(`CREATE SCHEMA ${name}`);
  } catch (e) {
    await admin.close();
    throw new Error(
      `PostgreSQL for the tests is not usable at ${TEST_PG_URL} (${(e as Error).message || String(e)}). Run scripts/setup, which installs and starts it and creates the role and database, or set GI_TEST_PG_URL.`,
      { cause: e },
    );
  }
  const inSchema = new PostgresDriver(url, { max: 1 });
  return {
    url,
    sql: (statement, params) => inSchema.query(statement, params),
    async drop() {
      await inSchema.close();
      await admin.execute(`DROP SCHEMA ${name} CASCADE`);
      await admin.close();
    },
  };
}
