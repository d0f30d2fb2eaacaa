import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFile, downloaded, filesOf, md5, newImage, settled, until } from './support/client-import.js';
import { installFixturePackage } from './support/fixture-package.js';
import { serve, tempDir, type RunningServer } from './support/glance-server.js';
import { GlanceClientDriver, type Session } from './support/glanceclient.js';
import { objectStoreGroups, ownSwift, type OwnSwift } from './support/swift.js';

// Swift stopped in the middle of an import. This suite runs its own Swift (SWIFT_HOME and ports of
// its own: 18080 for both APIs) so that stopping it disturbs no other suite. The stores: `local`
// (file), `objects` (swift) and `s3objects` (s3) on that Swift, and `held` (the fixture driver
// `faulty` of test/fixtures/store-driver, found through plugin_dirs), which holds its write after
// 4 MiB while a file exists — and with it the whole fan-out, the slowest store setting the pace —
// so that Swift is stopped while both object stores are part-way through their writes.

const work = tempDir('object-stores-outage');
const HOLD = path.join(work.dir, 'hold');
const CONTAINER = 'glance';
const BUCKET = 'glance-images';
const MiB = 1024 * 1024;
const data = randomBytes(24 * MiB + 7);
let swift: OwnSwift;
let site: RunningServer;
let driver: GlanceClientDriver;
let alice: Session;
let failed: string;

beforeAll(async () => {
  swift = await ownSwift('outage', 18080);
  await swift.create(CONTAINER);
  await swift.create(BUCKET);
  const plugins = path.join(work.dir, 'plugins');
  installFixturePackage(plugins, 'store-driver', ['core', 'store']);
  const conf = path.join(work.dir, 'glance-api.conf');
  writeFileSync(
    conf,
    [
      '[DEFAULT]',
      'enabled_backends = local:file, objects:swift, s3objects:s3, held:faulty',
      '',
      '[glance_store]',
      'default_backend = local',
      '',
      '[local]',
      `filesystem_store_datadir = ${path.join(work.dir, 'local')}`,
      '',
      ...objectStoreGroups(swift, CONTAINER, BUCKET),
      '[held]',
      `filesystem_store_datadir = ${path.join(work.dir, 'held')}`,
      `hold_while = ${HOLD}`,
      `hold_after_bytes = ${4 * MiB}`,
      '',
      '[glance_import]',
      `plugin_dirs = ${plugins}`,
      '',
    ].join('\n'),
  );
  site = await serve(path.join(work.dir, 'data'), ['--config-file', conf]);
  driver = GlanceClientDriver.start();
  alice = driver.as(site.url, { token: await site.token('alice', 'p1', ['member', 'reader']) });
}, 180_000);

afterAll(async () => {
  rmSync(HOLD, { force: true });
  await driver?.close();
  await site?.stop();
  await swift?.remove();
  work.remove();
}, 120_000);

/** What Swift shows of the image: in the container, in the bucket, and s3api's part container. */
async function inSwift(id: string) {
  const mine = (names: string[]) => names.filter((n) => n.startsWith(id));
  return { container: mine(await swift.list(CONTAINER)), bucket: mine(await swift.list(BUCKET)), parts: mine(await swift.list(`${BUCKET}+segments`)) };
}

describe('Swift stopped mid-import', () => {
  it('fails the import cleanly: the image is back to uploading with its staged data, no store keeps anything, nothing half-written is visible', async () => {
    const id = (failed = await newImage(alice));
    await alice.ok('images.stage', [id], { data_file: dataFile(work.dir, 'image.raw', data) });
    writeFileSync(HOLD, '');
    await alice.ok('images.image_import', [id], { method: 'glance-direct', stores: ['local', 'objects', 's3objects', 'held'], allow_failure: false });
    // Both object stores are writing: swift has segments, s3 has an upload with a part.
    await until(
      'segments and parts in Swift',
      () => inSwift(id),
      (s) => s.container.length >= 2 && s.parts.length >= 1,
      60_000,
    );
    await swift.stop();
    rmSync(HOLD);

    const { image, task } = await settled(alice, id, 1, 120_000);
    expect(task.status).toBe('failure');
    // The swift write in flight breaks first; all_stores_must_succeed then stops the others.
    expect(task.message).toMatch(/^Writing to store\(s\) objects(, s3objects)? failed: objects: Store 'objects' \(swift\): /);
    expect(task.message).not.toContain(swift.key);
    expect(image).toMatchObject({ status: 'uploading', checksum: null, os_glance_importing_to_stores: '' });
    expect(filesOf(path.join(work.dir, 'local'), id)).toEqual([]);
    expect(filesOf(path.join(site.dataDir, 'staging'), id)).toEqual([id]);

    // Once Swift is back: no object at the image's name in the container or the bucket.
    await swift.start();
    const after = await inSwift(id);
    expect(after.container).not.toContain(id);
    expect(after.bucket).toEqual([]);
  }, 240_000);

  it('the image stays retryable: the same import succeeds once Swift is back, and leaves exactly its own segments and parts', async () => {
    const id = failed;
    await alice.ok('images.image_import', [id], { method: 'glance-direct', stores: ['local', 'objects', 's3objects'], allow_failure: false });
    const { image, task } = await settled(alice, id, 2, 120_000);
    expect(task.status, task.message).toBe('success');
    expect(image).toMatchObject({ status: 'active', checksum: md5(data) });
    // 24 MiB + 7 bytes: 25 swift segments of 1,024,000 bytes, 5 s3 parts of 5 MiB — and nothing left of the failed attempt.
    const now = await inSwift(id);
    expect(now.container).toEqual([id, ...Array.from({ length: 25 }, (_, i) => `${id}-${String(i + 1).padStart(5, '0')}`)]);
    expect(now.bucket).toEqual([id]);
    expect(now.parts.length).toBe(5);
    expect(new Set(now.parts.map((p) => p.split('/')[1])).size).toBe(1); // the parts of one upload: the failed one was aborted
    expect(await alice.ok('images.data', [id])).toEqual(downloaded(data));
    await alice.ok('images.delete', [id]);
    expect(await inSwift(id)).toEqual({ container: [], bucket: [], parts: [] });
  }, 240_000);
});
