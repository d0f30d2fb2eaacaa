import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach } from 'vitest';
import { openDatabase, type Database, type OpenOptions } from './open.js';

// Tests only: every db test runs on both engines, each test on an empty database of its own.

/** The PostgreSQL the tests use; scripts/setup starts it and creates this role and database. */
export const TEST_PG_URL = process.env.GI_TEST_PG_URL ?? 'postgresql://glance_import:glance_import@127.0.0.1:5432/glance_import_test';

export const BACKENDS = ['sqlite', 'postgres'] as const;
export type Backend = (typeof BACKENDS)[number];

export interface TestDatabase {
  /** Its URL: open it again for another connection (another node). */
  readonly url: string;
  open(o?: OpenOptions): Promise<Database>;
  /** Close everything open() opened, then drop the database. */
  dispose(): Promise<void>;
}

/** A query on the test database outside any test's schema, with a message that says what to do when it fails. */
export async function withTestPostgres<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  try {
    await client.connect();
  } catch (e) {
    const reason = e instanceof AggregateError ? e.errors.map((x: Error) => x.message).join('; ') : (e as Error).message;
    throw new Error(
      `PostgreSQL for the tests is not usable at ${TEST_PG_URL} (${reason}). Run scripts/setup, which installs and starts it and creates the role and database, or set GI_TEST_PG_URL.`,
      { cause: e },
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** An empty database: a SQLite file in a temp dir, or a schema of its own in the test PostgreSQL database. */
export async function testDatabase(backend: Backend): Promise<TestDatabase> {
  const opened: Database[] = [];
  let url: string;
  let drop: () => Promise<void>;
  if (backend === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'gi-db-'));
    url = `sqlite://${path.join(dir, 'glance.sqlite')}`;
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const schema = `gi_test_${randomBytes(6).toString('hex')}`;
    await withTestPostgres((c) => c.query(`CREATE SCHEMA ${schema}`));
    url = `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    drop = () =>
      withTestPostgres(async (c) => {
        await c.query(`DROP SCHEMA ${schema} CASCADE`);
      });
  }
  return {
    url,
    async open(o) {
      const db = await openDatabase(url, { pool: { max: 3 }, ...o });
      opened.push(db);
      return db;
    },
    async dispose() {
      await Promise.all(opened.map((db) => db.close()));
      await drop();
    },
  };
}

/** A fresh database for each test of the enclosing describe, disposed after it: call the result inside a test. */
export function databasePerTest(backend: Backend): () => TestDatabase {
  let current: TestDatabase | undefined;
  beforeEach(async () => {
    current = await testDatabase(backend);
  });
  afterEach(async () => {
    const done = current;
    current = undefined;
    await done?.dispose();
  });
  return () => current!;
}
