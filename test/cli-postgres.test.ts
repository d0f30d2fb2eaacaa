import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA, MIGRATIONS } from '@glance-import/db';
import { cli, serve, tempDir } from './support/glance-server.js';
import { postgresSchema, type PostgresSchema } from './support/postgres.js';

// The command-line contract on PostgreSQL: every command that touches the database takes
// --config-file and honours [database] connection; `serve` runs only on a schema `db sync` made.

const work = tempDir('cli-postgres');
const cwd = path.join(work.dir, 'elsewhere');
mkdirSync(cwd);
afterAll(() => work.remove());

let schemas: PostgresSchema[] = [];
afterEach(async () => {
  await Promise.all(schemas.map((s) => s.drop()));
  schemas = [];
});

/** An empty PostgreSQL schema and a glance-api.conf naming it. */
async function database(name: string): Promise<{ schema: PostgresSchema; conf: string; shown: string }> {
  const schema = await postgresSchema();
  schemas.push(schema);
  const conf = path.join(work.dir, `${name}.conf`);
  writeFileSync(conf, `[database]\nconnection = ${schema.url.replace('postgresql://', 'postgresql+psycopg2://')}\nmax_pool_size = 3\n`);
  const shown = schema.url.replace('postgresql://', 'postgresql+psycopg2://').replace(/:[^:@/]*@/, ':***@');
  return { schema, conf, shown };
}

const images = async (url: string, token: string, init: RequestInit = {}) =>
  fetch(`${url}/v2/images`, { ...init, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' } });

describe('glance-import on PostgreSQL', () => {
  it('serve refuses a database db sync has not made, naming the command; db sync makes it, once; db version prints it', async () => {
    const { conf, shown } = await database('fresh');
    const dataDir = path.join(work.dir, 'fresh-node');
    const sync = `glance-import db sync --config-file ${conf}`;

    const before = await cli(['db', 'version', '--config-file', conf, '--data-dir', dataDir], { cwd });
    expect(before).toMatchObject({ code: 0, stdout: '0\n', stderr: `note: this glance-import needs schema ${LATEST_SCHEMA}; run \`${sync}\`\n` });

    const refused = await cli(['serve', '--config-file', conf, '--data-dir', dataDir, '--port', '0'], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      [
        `error GI_DB_SCHEMA_OUTDATED: The database at ${shown} has no glance-import schema yet; this version needs schema ${LATEST_SCHEMA}.`,
        `  hint: Run \`${sync}\` once (from one node), then start again.`,
        '',
      ].join('\n'),
    );
    expect(refused.stdout).not.toContain('serving');
    expect(
      (await cli(['token', 'create', '--config-file', conf, '--data-dir', dataDir, '--user', 'u', '--project', 'p', '--roles', 'member'], { cwd })).stderr,
    ).toMatch(/^error GI_DB_SCHEMA_OUTDATED: /);

    // The hint's command, as the operator would paste it.
    const synced = await cli(sync.split(' ').slice(1), { cwd });
    expect(synced).toMatchObject({ code: 0, stderr: '', stdout: `applied migrations ${MIGRATIONS.map((m) => m.version).join(', ')} to ${shown}\n` });
    expect(await cli(sync.split(' ').slice(1), { cwd })).toMatchObject({ code: 0, stdout: `${shown} is up to date\n` });
    expect(await cli(['db', 'version', '--config-file', conf], { cwd })).toMatchObject({ code: 0, stdout: `${LATEST_SCHEMA}\n`, stderr: '' });
  });

  it('token create and two serve nodes share the database: a token works on both, an image made on one is seen on the other; the data dirs hold no database', async () => {
    const { conf, shown } = await database('nodes');
    expect((await cli(['db', 'sync', '--config-file', conf], { cwd })).code).toBe(0);
    const token = await cli(
      ['token', 'create', '--config-file', conf, '--data-dir', path.join(work.dir, 'node-a'), '--user', 'u1', '--project', 'p1', '--roles', 'member,reader'],
      { cwd },
    );
    expect(token).toMatchObject({ code: 0, stderr: '' });
    const t = token.stdout.trim();
    const a = await serve(path.join(work.dir, 'node-a'), ['--config-file', conf], { cwd });
    const b = await serve(path.join(work.dir, 'node-b'), ['--config-file', conf], { cwd });
    try {
      expect(a.output().stdout).toContain(`  data:    ${a.dataDir} (database ${shown}; staging ${a.dataDir}/staging)\n`);
      expect(a.output().stdout).not.toContain(':glance_import@');
      // The database already holds a token: no admin token is made.
      expect(a.adminToken).toBeUndefined();
      const created = await images(a.url, t, { method: 'POST', body: JSON.stringify({ name: 'shared', disk_format: 'raw', container_format: 'bare' }) });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const seen = (await (await images(b.url, t)).json()) as { images: Array<{ id: string; owner: string }> };
      expect(seen.images).toEqual([expect.objectContaining({ id, owner: 'p1' })]);
    } finally {
      expect(await a.stop()).toBe(0);
      expect(await b.stop()).toBe(0);
    }
    for (const node of ['node-a', 'node-b']) expect(existsSync(path.join(work.dir, node, 'glance.sqlite'))).toBe(false);
  });

  it('a schema newer than this glance-import: db sync, serve and token create refuse it, unchanged; db version prints it with a note', async () => {
    const { schema, conf, shown } = await database('newer');
    expect((await cli(['db', 'sync', '--config-file', conf], { cwd })).code).toBe(0);
    const newer = LATEST_SCHEMA + 1;
    await schema.sql(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${newer}, 'from a newer release', '2031-01-01T00:00:00.000Z')`);
    const tooNew = [
      `error GI_DB_SCHEMA_TOO_NEW: The database at ${shown} has schema version ${newer}, newer than this glance-import knows (up to ${LATEST_SCHEMA}).`,
      '  hint: A newer glance-import migrated it: run that version (or newer) on every node. Schemas are never downgraded; restore a backup to go back.',
      '',
    ].join('\n');
    const dataDir = path.join(work.dir, 'newer-node');
    expect(await cli(['db', 'sync', '--config-file', conf], { cwd })).toMatchObject({ code: 1, stdout: '', stderr: tooNew });
    expect(await cli(['serve', '--config-file', conf, '--data-dir', dataDir, '--port', '0'], { cwd })).toMatchObject({ code: 1, stderr: tooNew });
    expect(
      await cli(['token', 'create', '--config-file', conf, '--data-dir', dataDir, '--user', 'u', '--project', 'p', '--roles', 'member'], { cwd }),
    ).toMatchObject({ code: 1, stderr: tooNew });
    expect(await cli(['db', 'version', '--config-file', conf], { cwd })).toMatchObject({
      code: 0,
      stdout: `${newer}\n`,
      stderr: `note: newer than this glance-import knows (up to ${LATEST_SCHEMA}); run a version at least as new\n`,
    });
    expect((await schema.sql('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version)).toEqual([
      ...MIGRATIONS.map((m) => m.version),
      newer,
    ]);
  });

  it('a connection it cannot use: exit 1 with GI_DB_CONNECT_FAILED and the password hidden, for every command', async () => {
    const { schema } = await database('unused');
    const conf = path.join(work.dir, 'wrong-password.conf');
    const url = new URL(schema.url);
    url.password = 'not-the-password';
    writeFileSync(conf, `[database]\nconnection = ${url.toString()}\n`);
    const dataDir = path.join(work.dir, 'wrong-node');
    for (const args of [
      ['serve', '--port', '0'],
      ['db', 'sync'],
      ['db', 'version'],
      ['token', 'create', '--user', 'u', '--project', 'p', '--roles', 'member'],
    ]) {
      const r = await cli([...args, '--config-file', conf, '--data-dir', dataDir], { cwd });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^error GI_DB_CONNECT_FAILED: Cannot use the database at postgresql:\/\/glance_import:\*\*\*@127\.0\.0\.1:5432\/.*: password authentication failed for user "glance_import"\.\n {2}hint: Check \[database\] connection/,
      );
      expect(r.stderr).not.toContain('not-the-password');
    }
  });
});
