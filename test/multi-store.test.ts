import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFile, downloaded, filesOf, md5, newImage, settled, sha512, until } from './support/client-import.js';
import { installFixturePackage } from './support/fixture-package.js';
import { GlanceClientDriver, type Session } from './support/glanceclient.js';
import { cli, serve, tempDir, type RunningServer } from './support/glance-server.js';
import { reply, webSource, type WebSource } from './support/web-source.js';

// Glance's multi-store scenarios (test_multi_store_images.py) through python-glanceclient against a
// real `glance-import serve` with four stores: `fast` (default) and `slow` are file stores; `broken`
// and `held` are of the type `faulty`, a store driver that exists only as the third-party package
// test/fixtures/store-driver, found through [glance_import] plugin_dirs. `broken` fails every write
// past 1 MiB as a full disk would; `held` keeps its writes from finishing while a file exists. Messages
// and statuses are those the reference Glance 25.1.0 gave for the same calls.

const work = tempDir('multi-store');
const dirOf = (store: string) => path.join(work.dir, 'stores', store);
const HOLD = path.join(work.dir, 'hold');
const STORES = ['fast', 'slow', 'broken', 'held'];
const data = randomBytes(2 * 1024 * 1024 + 5);
const routes: Parameters<typeof webSource>[0] = { '/image.raw': reply.bytes(data), '/held.raw': reply.stall(10 * 1024 * 1024, 1024 * 1024) };
let conf: string;
let src: WebSource;
let site: RunningServer;
let driver: GlanceClientDriver;
let admin: Session;
let alice: Session; // member of p1
let bob: Session; // member of p2

const staging = () => path.join(site.dataDir, 'staging');
const file = (name: string, bytes: Buffer) => dataFile(work.dir, name, bytes);
const storeSet = (list: string) => list.split(',').filter(Boolean).sort();
/** Where the image has files: every store dir and staging. */
const everywhere = (id: string) => Object.fromEntries([...STORES.map((s) => [s, filesOf(dirOf(s), id)]), ['staging', filesOf(staging(), id)]]);
const nowhere = Object.fromEntries([...STORES, 'staging'].map((s) => [s, []]));

beforeAll(async () => {
  src = await webSource(routes);
  const plugins = path.join(work.dir, 'plugins');
  installFixturePackage(plugins, 'store-driver', ['core', 'store']);
  conf = path.join(work.dir, 'glance-api.conf');
  writeFileSync(
    conf,
    [
      '[DEFAULT]',
      'enabled_backends = fast:file, slow:file, broken:faulty, held:faulty',
      '',
      '[glance_store]',
      'default_backend = fast',
      '',
      '[fast]',
      `filesystem_store_datadir = ${dirOf('fast')}`,
      'store_description = Fast store',
      '',
      '[slow]',
      `filesystem_store_datadir = ${dirOf('slow')}`,
      '',
      '[broken]',
      `filesystem_store_datadir = ${dirOf('broken')}`,
      `fail_after_bytes = ${1024 * 1024}`,
      '',
      '[held]',
      `filesystem_store_datadir = ${dirOf('held')}`,
      `hold_while = ${HOLD}`,
      '',
      '[glance_import]',
      `plugin_dirs = ${plugins}`,
      '',
      '[import_filtering_opts]',
      'allow_local_addresses = true',
      `allowed_ports = 80, 443, ${src.port}`,
      '',
    ].join('\n'),
  );
  site = await serve(path.join(work.dir, 'data'), ['--config-file', conf]);
  driver = GlanceClientDriver.start();
  admin = driver.as(site.url, { token: site.adminToken! });
  [alice, bob] = await Promise.all([site.token('alice', 'p1', ['member', 'reader']), site.token('bob', 'p2', ['member', 'reader'])]).then((tokens) =>
    tokens.map((token) => driver.as(site.url, { token })),
  );
}, 60_000);

afterAll(async () => {
  rmSync(HOLD, { force: true });
  await driver?.close();
  await Promise.all([site?.stop(), src?.close()]);
  work.remove();
});

/** A new image of alice's with `data` staged. */
async function staged(): Promise<string> {
  const id = await newImage(alice);
  await alice.ok('images.stage', [id], { data_file: file('stage.raw', data) });
  return id;
}

/** An image of alice's, active in `fast` only. */
async function activeInFast(): Promise<string> {
  const id = await staged();
  await alice.ok('images.image_import', [id], { method: 'glance-direct' });
  expect((await settled(alice, id)).image).toMatchObject({ status: 'active', stores: 'fast' });
  return id;
}

const stored = (store: string, id: string) => readFileSync(path.join(dirOf(store), id));

describe('stores', () => {
  it('get_stores_info lists the configured stores, the third-party type included; plugins list shows its driver found in plugin_dirs', async () => {
    expect(await bob.ok('images.get_stores_info')).toEqual({
      stores: [{ id: 'fast', description: 'Fast store', default: 'true' }, { id: 'slow' }, { id: 'broken' }, { id: 'held' }],
    });
    expect(site.output().stdout).toContain('  stores:  fast (default), slow, broken, held\n');
    const listed = await cli(['plugins', 'list', '--config-file', conf]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^glance\.store\.drivers +faulty +glance-import-store-faulty +1\.0\.0 +yes$/m);
  });

  it('glance-direct to the stores named (allow_failure=False): active in both, each holding the staged bytes; the x-image-meta-store header picks one', async () => {
    const id = await staged();
    await alice.ok('images.image_import', [id], { method: 'glance-direct', stores: ['fast', 'slow'], allow_failure: false });
    const { image, task } = await settled(alice, id);
    expect(image).toMatchObject({
      status: 'active',
      checksum: md5(data),
      os_hash_value: sha512(data),
      os_glance_importing_to_stores: '',
      os_glance_failed_import: '',
    });
    expect(storeSet(image.stores)).toEqual(['fast', 'slow']);
    // allow_failure=False sends no all_stores_must_succeed: Glance's default, true.
    expect(task).toMatchObject({
      status: 'success',
      input: { import_req: { method: { name: 'glance-direct' }, stores: ['fast', 'slow'] }, backend: ['fast', 'slow'] },
    });
    expect(task.input.import_req).not.toHaveProperty('all_stores_must_succeed');
    expect(stored('fast', id).equals(data) && stored('slow', id).equals(data)).toBe(true);
    expect(everywhere(id)).toMatchObject({ staging: [], broken: [], held: [] });

    const other = await staged();
    await alice.ok('images.image_import', [other], { method: 'glance-direct', backend: 'slow' });
    expect((await settled(alice, other)).image).toMatchObject({ status: 'active', stores: 'slow' });
    expect(await alice.ok('images.data', [other])).toEqual(downloaded(data));
  });

  it('web-download into two stores (test_image_import_multi_stores)', async () => {
    const id = await newImage(alice);
    await alice.ok('images.image_import', [id], { method: 'web-download', uri: `${src.url}/image.raw`, stores: ['fast', 'slow'], allow_failure: false });
    const { image } = await settled(alice, id);
    expect(image).toMatchObject({ status: 'active', checksum: md5(data), size: data.length });
    expect(storeSet(image.stores)).toEqual(['fast', 'slow']);
    expect(stored('slow', id).equals(data)).toBe(true);
  });

  it('unknown stores answer 409 and all_stores with stores 400, as in Glance; nothing starts', async () => {
    const id = await staged();
    expect(await alice.fails('images.image_import', [id], { method: 'glance-direct', stores: ['nope'] })).toEqual({
      type: 'HTTPConflict',
      status: 409,
      message: '409 Conflict: Store for identifier nope not found',
    });
    expect(await alice.fails('images.image_import', [id], { method: 'glance-direct', stores: ['fast'], all_stores: true })).toMatchObject({
      status: 400,
      message: expect.stringContaining("All_stores parameter can't be used with x-image-meta-store header or stores parameter"),
    });
    expect((await alice.ok('images.get_associated_image_tasks', [id])).tasks).toEqual([]);
    expect(await alice.ok('images.get', [id])).toMatchObject({ status: 'uploading' });
  });
});

describe('a store that fails', () => {
  it('all_stores_must_succeed (allow_failure=False): the import fails, what fast had written is removed, the image is back to uploading; with allow_failure it succeeds in fast', async () => {
    const id = await staged();
    await alice.ok('images.image_import', [id], { method: 'glance-direct', stores: ['fast', 'broken'], allow_failure: false });
    const failed = await settled(alice, id);
    expect(failed.task).toMatchObject({
      status: 'failure',
      message: expect.stringMatching(/^Writing to store\(s\) broken failed: broken: Image storage media is full/),
    });
    expect(failed.image).toMatchObject({ status: 'uploading', size: data.length, checksum: null, os_glance_importing_to_stores: '' });
    expect(storeSet(failed.image.os_glance_failed_import)).toEqual(['broken', 'fast']);
    expect(failed.image.stores).toBeUndefined();
    expect(everywhere(id)).toEqual({ ...nowhere, staging: [id] });

    await alice.ok('images.image_import', [id], { method: 'glance-direct', stores: ['fast', 'broken'] }); // allow_failure=True: all_stores_must_succeed false
    const { image, task, tasks } = await settled(alice, id, 2);
    expect(tasks.map((t) => t.status)).toEqual(['success', 'failure']);
    expect(task.input.import_req).toMatchObject({ all_stores_must_succeed: false });
    expect(image).toMatchObject({
      status: 'active',
      stores: 'fast',
      os_glance_failed_import: 'broken',
      os_glance_importing_to_stores: '',
      checksum: md5(data),
    });
    expect(everywhere(id)).toEqual({ ...nowhere, fast: [id] });
  });

  it('all_stores with allow_failure: active in every store but the one that failed', async () => {
    const id = await staged();
    await alice.ok('images.image_import', [id], { method: 'glance-direct', all_stores: true });
    const { image, task } = await settled(alice, id);
    expect(task).toMatchObject({ status: 'success', input: { import_req: { all_stores: true, all_stores_must_succeed: false }, backend: STORES } });
    expect(storeSet(image.stores)).toEqual(['fast', 'held', 'slow']);
    expect(image).toMatchObject({ status: 'active', os_glance_failed_import: 'broken', os_glance_importing_to_stores: '' });
    expect(everywhere(id)).toEqual({ ...nowhere, fast: [id], slow: [id], held: [id] });
  });

  it('all_stores without allow_failure: the import fails and no store keeps anything', async () => {
    const id = await staged();
    await alice.ok('images.image_import', [id], { method: 'glance-direct', all_stores: true, allow_failure: false });
    const { image, task } = await settled(alice, id);
    expect(task).toMatchObject({ status: 'failure', message: expect.stringContaining('broken: Image storage media is full') });
    expect(image).toMatchObject({ status: 'uploading', os_glance_importing_to_stores: '' });
    expect(storeSet(image.os_glance_failed_import)).toEqual([...STORES].sort());
    expect(everywhere(id)).toEqual({ ...nowhere, staging: [id] });
  });
});

describe('copy-image', () => {
  it('an admin copies an active image to a second store: it stays active with the same checksum; the new store holds the same bytes', async () => {
    const id = await activeInFast();
    const before = await alice.ok('images.get', [id]);
    const started = await admin.answer('images.image_import', [id], { method: 'copy-image', stores: ['slow'], allow_failure: false });
    expect(started).toMatchObject({ ok: null });
    const { image, task, tasks } = await settled(alice, id, 2);
    expect(tasks).toHaveLength(2);
    expect(task).toMatchObject({
      status: 'success',
      user_id: 'admin',
      input: { import_req: { method: { name: 'copy-image' }, stores: ['slow'] }, backend: ['slow'] },
    });
    expect(image).toMatchObject({
      status: 'active',
      checksum: before.checksum,
      os_hash_value: before.os_hash_value,
      size: data.length,
      os_glance_failed_import: '',
    });
    expect(storeSet(image.stores)).toEqual(['fast', 'slow']);
    expect(stored('slow', id).equals(data)).toBe(true);
    expect(everywhere(id)).toEqual({ ...nowhere, fast: [id], slow: [id] });
  });

  it('policy and refusals: copy_image is for admins; a store already holding it 400; an unknown store 409; an image that is not active 409', async () => {
    const id = await activeInFast();
    expect(await alice.fails('images.image_import', [id], { method: 'copy-image', stores: ['slow'] })).toEqual({
      type: 'HTTPForbidden',
      status: 403,
      message: '403 Forbidden: You are not authorized to complete copy_image action.',
    });
    expect((await bob.fails('images.image_import', [id], { method: 'copy-image', stores: ['slow'] })).status).toBe(404);
    expect(await admin.fails('images.image_import', [id], { method: 'copy-image', stores: ['fast'] })).toMatchObject({
      type: 'HTTPBadRequest',
      status: 400,
      message: "400 Bad Request: Image is already present at store 'fast'", // Glance's HTML page escapes the quotes as &#x27;
    });
    expect(await admin.fails('images.image_import', [id], { method: 'copy-image', stores: ['nope'] })).toEqual({
      type: 'HTTPConflict',
      status: 409,
      message: '409 Conflict: Store for identifier nope not found',
    });
    const uploading = await staged();
    expect(await admin.fails('images.image_import', [uploading], { method: 'copy-image', stores: ['slow'] })).toMatchObject({
      status: 409,
      message: '409 Conflict: Only images with status active can be targeted for copying',
    });
    expect((await alice.ok('images.get_associated_image_tasks', [id])).tasks).toHaveLength(1);
    expect(everywhere(id)).toEqual({ ...nowhere, fast: [id] });
  });

  it('a copy to a store that fails leaves the image active in its stores, the failed store recorded (test_copy_image_revert_lifecycle); all_stores copies only where it is missing', async () => {
    const id = await activeInFast();
    await admin.ok('images.image_import', [id], { method: 'copy-image', stores: ['slow', 'broken'], allow_failure: false });
    const failed = await settled(alice, id, 2);
    expect(failed.task).toMatchObject({ status: 'failure', message: expect.stringContaining('broken: Image storage media is full') });
    expect(failed.image).toMatchObject({
      status: 'active',
      stores: 'fast',
      os_glance_failed_import: 'broken',
      os_glance_importing_to_stores: '',
      checksum: md5(data),
    });
    expect(everywhere(id)).toMatchObject({ fast: [id], slow: [], broken: [] });

    // Every store but those holding it (fast); broken fails again, the rest succeed.
    await admin.ok('images.image_import', [id], { method: 'copy-image', all_stores: true });
    const { image, task } = await settled(alice, id, 3);
    expect(task).toMatchObject({ status: 'success', input: { backend: ['slow', 'broken', 'held'] } });
    expect(storeSet(image.stores)).toEqual(['fast', 'held', 'slow']);
    expect(image).toMatchObject({ status: 'active', os_glance_failed_import: 'broken' });
    expect(everywhere(id)).toEqual({ ...nowhere, fast: [id], slow: [id], held: [id] });
  });
});

describe('the import lock (test_import_copy_locked)', () => {
  it('while a copy is still writing, another copy answers 409 "Image has active task"; once it ends the next copy runs', async () => {
    const id = await activeInFast();
    writeFileSync(HOLD, '');
    try {
      const started = await admin.answer('images.image_import', [id], { method: 'copy-image', stores: ['held'], allow_failure: false });
      const [task] = (
        await until(
          'the copy to start',
          () => alice.ok('images.get_associated_image_tasks', [id]),
          (r) => r.tasks.length === 2,
        )
      ).tasks;
      expect(task).toMatchObject({
        status: expect.stringMatching(/^(pending|processing)$/),
        request_id: (started as { request_ids: string[] }).request_ids[0],
      });
      expect(await alice.ok('images.get', [id])).toMatchObject({ status: 'active', os_glance_import_task: task.id, os_glance_importing_to_stores: 'held' });
      expect(await admin.fails('images.image_import', [id], { method: 'copy-image', stores: ['slow'] })).toEqual({
        type: 'HTTPConflict',
        status: 409,
        message: '409 Conflict: Image has active task',
      });
    } finally {
      rmSync(HOLD, { force: true });
    }
    expect((await settled(alice, id, 2)).image).toMatchObject({ status: 'active', stores: 'fast,held' });
    await admin.ok('images.image_import', [id], { method: 'copy-image', stores: ['slow'] });
    const { image, tasks } = await settled(alice, id, 3);
    expect(tasks.map((t) => t.status)).toEqual(['success', 'success', 'success']);
    expect(storeSet(image.stores)).toEqual(['fast', 'held', 'slow']);
  });
});

describe('delete_from_store (DELETE /v2/stores/{store}/{image})', () => {
  it("drops one copy; answers a missing image, an unknown store, an image not active and the only copy in Glance's order and words", async () => {
    const id = await staged();
    await alice.ok('images.image_import', [id], { method: 'glance-direct', stores: ['fast', 'slow'], allow_failure: false });
    await settled(alice, id);
    const missing = '00000000-0000-0000-0000-000000000000';
    expect(await admin.fails('images.delete_from_store', ['fast', missing])).toEqual({
      type: 'HTTPNotFound',
      status: 404,
      message: `404 Not Found: Failed to find image ${missing}`,
    });
    expect(await bob.fails('images.delete_from_store', ['fast', id])).toEqual({
      type: 'HTTPNotFound',
      status: 404,
      message: `404 Not Found: Failed to find image ${id}`,
    });
    // Beyond the reference's Zed defaults (which let the owner do it): delete_image_location is for admins.
    expect(await alice.fails('images.delete_from_store', ['slow', id])).toMatchObject({ type: 'HTTPForbidden', status: 403 });
    const queued = await newImage(alice);
    expect(await admin.fails('images.delete_from_store', ['fast', queued])).toEqual({
      type: 'HTTPConflict',
      status: 409,
      message: "409 Conflict: It's not allowed to remove image data from store if image status is not 'active'",
    });
    expect(await admin.fails('images.delete_from_store', ['nope', id])).toEqual({
      type: 'HTTPConflict',
      status: 409,
      message: '409 Conflict: The selected store nope is not available on this node.',
    });
    expect(await admin.fails('images.delete_from_store', ['broken', id])).toEqual({
      type: 'HTTPNotFound',
      status: 404,
      message: `404 Not Found: Image ${id} is not stored in store broken.`,
    });
    expect(await admin.ok('images.delete_from_store', ['slow', id])).toBeNull();
    expect(await alice.ok('images.get', [id])).toMatchObject({ status: 'active', stores: 'fast' });
    expect(everywhere(id)).toEqual({ ...nowhere, fast: [id] });
    const only = {
      type: 'HTTPForbidden',
      status: 403,
      message: '403 Forbidden: Cannot delete image data from the only store containing it. Consider deleting the image instead.',
    };
    expect(await admin.fails('images.delete_from_store', ['fast', id])).toEqual(only);
    // With one copy left Glance answers the same 403 for a store that does not hold it.
    expect(await admin.fails('images.delete_from_store', ['slow', id])).toEqual(only);
    expect(await alice.ok('images.data', [id])).toEqual(downloaded(data));
  });
});

describe('deleting an image while it imports', () => {
  it('during the store write (fast done, held still writing): the import stops, the task fails, no file is left in any store or in staging', async () => {
    writeFileSync(HOLD, '');
    try {
      const id = await staged();
      await alice.ok('images.image_import', [id], { method: 'glance-direct', stores: ['fast', 'held'], allow_failure: false });
      await until(
        'fast to hold the image',
        () => alice.ok('images.get', [id]),
        (i) => i.stores === 'fast',
      );
      expect(everywhere(id)).toMatchObject({ fast: [id], staging: [id] });
      const [task] = (await alice.ok('images.get_associated_image_tasks', [id])).tasks;
      await alice.ok('images.delete', [id]);
      expect((await alice.fails('images.get', [id])).status).toBe(404);
      expect(await admin.ok('tasks.get', [task.id])).toMatchObject({ status: 'failure', message: expect.stringContaining('deleted') });
      expect(everywhere(id)).toEqual(nowhere);
    } finally {
      rmSync(HOLD, { force: true });
    }
  });

  it('during a web-download (1 MiB of 10 staged): the download is cut off, the partial staging file removed, the task fails', async () => {
    const id = await newImage(alice);
    await alice.ok('images.image_import', [id], { method: 'web-download', uri: `${src.url}/held.raw` });
    await until('the download to reach staging', () => everywhere(id).staging.length > 0);
    const [task] = (await alice.ok('images.get_associated_image_tasks', [id])).tasks;
    await alice.ok('images.delete', [id]);
    expect(await admin.ok('tasks.get', [task.id])).toMatchObject({ status: 'failure', message: expect.stringContaining('deleted') });
    expect(everywhere(id)).toEqual(nowhere);
    await until('the source connection to close', () => src.openSockets() === 0);
    expect(existsSync(path.join(staging(), id))).toBe(false);
  });
});
