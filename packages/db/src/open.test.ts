import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './open.js';
import { BACKENDS, TEST_PG_URL, testDatabase, withTestPostgres, type TestDatabase } from './test-backends.js';
import type { ImageRecord, TaskRecord } from './types.js';

const disposers: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(disposers.splice(0).map((d) => d.dispose()));
});
const fresh = async (backend: (typeof BACKENDS)[number]) => {
  const d = await testDatabase(backend);
  disposers.push(d);
  return d.open();
};

const TiB = 1024 ** 4;
const IMAGE_ID = '6f1c2a1e-0000-4000-8000-000000000001';
const TASK_ID = '6f1c2a1e-0000-4000-8000-000000000002';

/** The same writes on a backend; what it reads back. */
async function writeAndRead(db: Database): Promise<{ image: ImageRecord; task: TaskRecord; atoms: unknown }> {
  await db.images.create({
    id: IMAGE_ID,
    name: "Debian 12 «bookworm» — 'quoted' ?",
    visibility: 'shared',
    owner: 'p1',
    disk_format: 'qcow2',
    container_format: 'bare',
    min_disk: 20,
    min_ram: 2048,
    protected: true,
    os_hidden: false,
    properties: { hw_disk_bus: 'virtio', note: 'ünïcödé ✓ ?' },
    tags: ['z', 'a'],
  });
  await db.images.update(IMAGE_ID, {
    columns: {
      status: 'active',
      size: 5 * TiB + 1,
      virtual_size: 8 * TiB,
      checksum: 'd41d8cd98f00b204e9800998ecf8427e',
      os_hash_algo: 'sha512',
      os_hash_value: 'ab'.repeat(64),
    },
  });
  await db.images.addLocation(IMAGE_ID, {
    store: 'fast',
    url: 'file:///srv/fast/x',
    metadata: { store: 'fast', nested: { n: 1.5, list: [1, 'two', null, true] } },
    status: 'active',
  });
  const task = await db.tasks.create({
    id: TASK_ID,
    type: 'api_image_import',
    owner: 'p1',
    image_id: IMAGE_ID,
    request_id: 'req-1',
    user_id: 'u1',
    input: { import_req: { method: { name: 'web-download', uri: 'https://example.com/a?b=c' } }, big: 2 ** 53 - 1 },
  });
  const done = await db.tasks.update(task.id, {
    status: 'success',
    result: { image_id: IMAGE_ID, stores: ['fast'] },
    message: 'Copied 5 TiB',
    expires_at: '2030-01-02T03:04:05.678Z',
  });
  await db.flows.saveAtom({
    flowId: TASK_ID,
    atom: 'store',
    state: 'SUCCESS',
    attempt: 2,
    result: { path: '/x', bytes: 5 * TiB },
    updatedAt: '2029-12-31T23:59:59.999Z',
  });
  return { image: (await db.images.get(IMAGE_ID))!, task: done, atoms: await db.flows.loadAtoms(TASK_ID) };
}

describe('values written', () => {
  it('read back identically on SQLite and PostgreSQL: big sizes, booleans, unicode, JSON and ISO-8601 timestamps', async () => {
    const sqlite = await writeAndRead(await fresh('sqlite'));
    const postgres = await writeAndRead(await fresh('postgres'));
    for (const r of [sqlite, postgres]) {
      expect(r.image).toMatchObject({ size: 5 * TiB + 1, virtual_size: 8 * TiB, protected: true, os_hidden: false, min_ram: 2048, tags: ['a', 'z'] });
      expect(r.image.locations[0]!.metadata).toEqual({ store: 'fast', nested: { n: 1.5, list: [1, 'two', null, true] } });
      expect(r.image.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(r.task).toMatchObject({ expires_at: '2030-01-02T03:04:05.678Z', input: { big: 2 ** 53 - 1 } });
      expect(r.atoms).toEqual([
        { flowId: TASK_ID, atom: 'store', state: 'SUCCESS', attempt: 2, result: { path: '/x', bytes: 5 * TiB }, updatedAt: '2029-12-31T23:59:59.999Z' },
      ]);
    }
    // Only the times of the writes (and the location's generated id) differ between the two runs.
    const times = (r: typeof sqlite) => ({
      ...r,
      image: { ...r.image, created_at: 'T', updated_at: 'T', locations: r.image.locations.map((l) => ({ ...l, id: 'L', createdAt: 'T' })) },
      task: { ...r.task, created_at: 'T', updated_at: 'T' },
    });
    expect(times(postgres)).toEqual(times(sqlite));
  });

  it.each(BACKENDS)('on %s: a timestamp written is the string read', async (backend) => {
    const db = await fresh(backend);
    const task = await db.tasks.create({ id: randomUUID(), type: 'api_image_import', owner: 'p1', image_id: null, request_id: null, user_id: null, input: {} });
    expect(await db.tasks.get(task.id)).toEqual(task);
  });
});

describe('PostgreSQL connections', () => {
  const url = new URL(TEST_PG_URL);
  const withPassword = (password: string) => {
    const u = new URL(TEST_PG_URL);
    u.password = password;
    return u.toString();
  };

  it('a wrong password or a port nothing listens on: GI_DB_CONNECT_FAILED when opened, with the password hidden', async () => {
    await expect(openDatabase(withPassword('not-the-password'))).rejects.toMatchObject({
      code: 'GI_DB_CONNECT_FAILED',
      message: `Cannot use the database at postgresql://${url.username}:***@${url.host}${url.pathname}: password authentication failed for user "${url.username}".`,
    });
    const closedPort = `postgresql://u:secret@127.0.0.1:1/db`;
    await expect(openDatabase(closedPort, { pool: { timeoutSeconds: 5 } })).rejects.toMatchObject({
      code: 'GI_DB_CONNECT_FAILED',
      message: expect.stringMatching(/^Cannot use the database at postgresql:\/\/u:\*\*\*@127\.0\.0\.1:1\/db: .*ECONNREFUSED/),
    });
  });

  it('close() ends every connection of the pool, and a second close() is harmless', async () => {
    const d = await testDatabase('postgres');
    disposers.push(d);
    const name = `gi-close-${randomBytes(4).toString('hex')}`;
    const db = await openDatabase(`${d.url}&application_name=${name}`, { pool: { max: 4 } });
    // Four statements at once make the pool open four connections.
    await Promise.all([1, 2, 3, 4].map(() => db.driver.query('SELECT pg_sleep(0.2)')));
    const open = () =>
      withTestPostgres(async (c) => Number((await c.query('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [name])).rows[0].n));
    expect(await open()).toBe(4);
    await db.close();
    await db.close();
    expect(await open()).toBe(0);
    await expect(db.driver.query('SELECT 1')).rejects.toThrow();
  });
});
