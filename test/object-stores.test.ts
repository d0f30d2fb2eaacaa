import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFile, downloaded, md5, newImage, settled, sha512 } from './support/client-import.js';
import { cli, serve, tempDir, type RunningServer } from './support/glance-server.js';
import { GlanceClientDriver, type Session } from './support/glanceclient.js';
import { sharedSwift, type SwiftInstance } from './support/swift.js';
import { REPO } from './support/workspace.js';

// The object stores through python-glanceclient against a real `glance-import serve` with the
// README's three stores: `local` (file), `objects` (swift, the native API) and `s3objects` (s3, Swift's
// S3 API), both on the shared reference Swift, found as the workspace packages
// @glance-import/store-swift and -s3 through their glance.store.drivers entry points. The container
// and the bucket are created first, as the README tells operators. What each store holds is looked at
// through Swift itself.

const work = tempDir('object-stores');
const suffix = randomBytes(4).toString('hex');
const CONTAINER = `gi-e2e-glance-${suffix}`;
const BUCKET = `gi-e2e-images-${suffix}`;
const MB = 1000 * 1024; // glance_store's swift MB
const MiB = 1024 * 1024;
const image = randomBytes(12 * MiB + 12345); // 13 swift segments, 3 s3 parts
let swift: SwiftInstance;
let conf: string;
let sizes: string;
let site: RunningServer;
let driver: GlanceClientDriver;
let admin: Session;
let alice: Session;

beforeAll(async () => {
  swift = await sharedSwift();
  await swift.create(CONTAINER);
  await swift.create(BUCKET);
  // The README's store section, as an operator copies it (names of this run's container, bucket and
  // directory put in), then small sizes so that a 12 MiB image is a large object in both stores.
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const ini = /## Stores\n[\s\S]*?```ini\n([\s\S]*?)```/.exec(readme)![1]!;
  conf = path.join(work.dir, 'glance-api.conf');
  writeFileSync(
    conf,
    ini
      .replace('swift_store_container = glance', `swift_store_container = ${CONTAINER}`)
      .replace('s3_store_bucket = glance-images', `s3_store_bucket = ${BUCKET}`)
      .replace('/var/lib/glance-import/images', path.join(work.dir, 'local')),
  );
  sizes = path.join(work.dir, 'sizes.conf');
  writeFileSync(
    sizes,
    [
      '[local]',
      'store_description = Local disk',
      '',
      '[objects]',
      'swift_store_large_object_size = 1',
      'swift_store_large_object_chunk_size = 1',
      'swift_store_retry_get_count = 2',
      '',
      '[s3objects]',
      's3_store_large_object_size = 5',
      's3_store_large_object_chunk_size = 5',
      's3_store_thread_pools = 2',
      '',
    ].join('\n'),
  );
  site = await serve(path.join(work.dir, 'data'), ['--config-file', conf, '--config-file', sizes]);
  expect(readFileSync(conf, 'utf8')).toContain(`swift_store_auth_address = ${swift.auth}`);
  driver = GlanceClientDriver.start();
  admin = driver.as(site.url, { token: site.adminToken! });
  alice = driver.as(site.url, { token: await site.token('alice', 'p1', ['member', 'reader']) });
}, 120_000);

afterAll(async () => {
  await driver?.close();
  await site?.stop();
  for (const c of [CONTAINER, BUCKET, `${BUCKET}+segments`]) await swift?.drop(c).catch(() => undefined);
  work.remove();
});

const file = dataFile.bind(null, work.dir);
const storeSet = (list: string) => list.split(',').filter(Boolean).sort();
/** What the image has in the container (manifest and segments) and in the bucket (the object; its parts in `<bucket>+segments`). */
async function held(id: string) {
  const mine = (names: string[]) => names.filter((n) => n.startsWith(id));
  return { container: mine(await swift.list(CONTAINER)), bucket: mine(await swift.list(BUCKET)), parts: mine(await swift.list(`${BUCKET}+segments`)).length };
}
const segments = (id: string, n: number) => [id, ...Array.from({ length: n }, (_, i) => `${id}-${String(i + 1).padStart(5, '0')}`)];

/** An image of alice's with `data` staged, imported to `stores`. */
async function imported(stores: string[], data = image): Promise<string> {
  const id = await newImage(alice);
  await alice.ok('images.stage', [id], { data_file: file(`${id}.raw`, data) });
  await alice.ok('images.image_import', [id], { method: 'glance-direct', stores, allow_failure: false });
  const { image: img, task } = await settled(alice, id, 1, 120_000);
  expect(task.status, task.message).toBe('success');
  expect(img).toMatchObject({ status: 'active', size: data.length, checksum: md5(data), os_hash_value: sha512(data) });
  expect(storeSet(img.stores)).toEqual([...stores].sort());
  return id;
}

/** The bytes of a Range download, through the client's HTTP session. */
async function range(id: string, from: number, to: number) {
  const r = await alice.http('GET', `/v2/images/${id}/file`, { headers: { Range: `bytes=${from}-${to}` } });
  return { status: r.status, contentRange: r.headers['content-range'], equal: r.body_hex === image.subarray(from, to + 1).toString('hex') };
}

describe('the stores', () => {
  it('are listed by get_stores_info; the drivers are found through their entry points', async () => {
    expect(await alice.ok('images.get_stores_info')).toEqual({
      stores: [
        { id: 'local', description: 'Local disk', default: 'true' },
        { id: 'objects', description: 'Swift' },
        { id: 's3objects', description: 'S3' },
      ],
    });
    const listed = await cli(['plugins', 'list', '--config-file', conf, '--config-file', sizes]);
    expect(listed.stdout).toMatch(/^glance\.store\.drivers +s3 +@glance-import\/store-s3 +\S+ +yes$/m);
    expect(listed.stdout).toMatch(/^glance\.store\.drivers +swift +@glance-import\/store-swift +\S+ +yes$/m);
  });

  it('/v2/info/stores/detail shows each type and its properties as Glance does, never a credential; members get 403', async () => {
    const detail = await admin.http('GET', '/v2/info/stores/detail');
    expect(detail.json).toEqual({
      stores: [
        {
          id: 'local',
          type: 'file',
          weight: 0,
          description: 'Local disk',
          default: 'true',
          properties: { data_dir: path.join(work.dir, 'local'), chunk_size: 65536, thin_provisioning: false },
        },
        {
          id: 'objects',
          type: 'swift',
          weight: 0,
          description: 'Swift',
          properties: { container: CONTAINER, large_object_size: MB, large_object_chunk_size: MB },
        },
        {
          id: 's3objects',
          type: 's3',
          weight: 0,
          description: 'S3',
          properties: { s3_store_large_object_size: 5 * MiB, s3_store_large_object_chunk_size: 5 * MiB, s3_store_thread_pools: 2 },
        },
      ],
    });
    expect(detail.text).not.toContain(swift.key);
    expect(detail.text).not.toContain(swift.user);
    expect((await alice.http('GET', '/v2/info/stores/detail')).status).toBe(403);
  });
});

describe('glance-direct', () => {
  const ids: Record<string, string> = {};

  it('into the swift store: a DLO manifest and 13 segments of 1 MB; downloads whole and by Range equal the source', async () => {
    ids.objects = await imported(['objects']);
    expect(await held(ids.objects)).toEqual({ container: segments(ids.objects, 13), bucket: [], parts: 0 });
    expect(await alice.ok('images.data', [ids.objects])).toEqual(downloaded(image));
    expect(await range(ids.objects, MB - 100, 2 * MB + 100)).toEqual({
      status: 206,
      contentRange: `bytes ${MB - 100}-${2 * MB + 100}/${image.length}`,
      equal: true,
    });
  });

  it('into the s3 store: one object from a multipart upload of 3 parts; downloads whole and by Range equal the source', async () => {
    ids.s3objects = await imported(['s3objects']);
    expect(await held(ids.s3objects)).toEqual({ container: [], bucket: [ids.s3objects], parts: 3 });
    expect(await alice.ok('images.data', [ids.s3objects])).toEqual(downloaded(image));
    expect(await range(ids.s3objects, 5 * MiB - 3, 5 * MiB + 3)).toEqual({
      status: 206,
      contentRange: `bytes ${5 * MiB - 3}-${5 * MiB + 3}/${image.length}`,
      equal: true,
    });
  });

  it('into the file store, as before', async () => {
    ids.local = await imported(['local']);
    expect(await held(ids.local)).toEqual({ container: [], bucket: [], parts: 0 });
    expect(await range(ids.local, 0, 99)).toMatchObject({ status: 206, equal: true });
  });

  it('fanned out to all three from one read; an image below the sizes is one object in each', async () => {
    const id = await imported(['local', 'objects', 's3objects']);
    expect(await held(id)).toEqual({ container: segments(id, 13), bucket: [id], parts: 3 });
    const small = randomBytes(500 * 1024);
    const one = await imported(['local', 'objects', 's3objects'], small);
    expect(await held(one)).toEqual({ container: [one], bucket: [one], parts: 0 });
  });

  it('deleting an image leaves nothing of it in the container or the bucket', async () => {
    for (const id of Object.values(ids)) await alice.ok('images.delete', [id]);
    for (const id of Object.values(ids)) expect(await held(id)).toEqual({ container: [], bucket: [], parts: 0 });
  });
});

describe('copy-image file → swift → s3', () => {
  it('copies from the file store to swift, and from swift (once the only copy) to s3; each copy reads back as the source', async () => {
    const id = await imported(['local']);
    await admin.ok('images.image_import', [id], { method: 'copy-image', stores: ['objects'], allow_failure: false });
    expect((await settled(admin, id, 2, 120_000)).task).toMatchObject({ status: 'success' });
    await admin.ok('images.delete_from_store', ['local', id]);
    expect((await alice.ok('images.get', [id])).stores).toBe('objects');
    await admin.ok('images.image_import', [id], { method: 'copy-image', stores: ['s3objects'], allow_failure: false });
    const { image: img, task } = await settled(admin, id, 3, 120_000);
    expect(task).toMatchObject({ status: 'success' });
    expect(storeSet(img.stores)).toEqual(['objects', 's3objects']);
    expect(await held(id)).toEqual({ container: segments(id, 13), bucket: [id], parts: 3 });

    // Drop swift's copy (DELETE /v2/stores/objects/{id}): every segment goes; the download now comes from s3.
    await admin.ok('images.delete_from_store', ['objects', id]);
    expect(await held(id)).toEqual({ container: [], bucket: [id], parts: 3 });
    expect(await alice.ok('images.data', [id])).toEqual(downloaded(image));
    await alice.ok('images.delete', [id]);
    expect(await held(id)).toEqual({ container: [], bucket: [], parts: 0 });
  });
});

describe('credentials', () => {
  it('appear in no task, no location and no line the server printed', async () => {
    const id = await imported(['objects', 's3objects'], randomBytes(1000));
    const tasks = await alice.ok('images.get_associated_image_tasks', [id]);
    const img = await admin.ok('images.get', [id]);
    const { stdout, stderr } = site.output();
    for (const text of [JSON.stringify(tasks), JSON.stringify(img), stdout, stderr]) {
      expect(text).not.toMatch(new RegExp(`\\b${swift.key}\\b`));
      expect(text).not.toContain(swift.user);
    }
  });
});

describe('bad store settings fail at start-up and in config check, naming the store and the option, never a credential', () => {
  const base = () => readFileSync(conf, 'utf8');
  const cases: Array<[string, (ini: string) => string, RegExp]> = [
    [
      'a wrong swift key',
      (ini) => ini.replace('swift_store_key = testing', 'swift_store_key = not-the-key'),
      /^error GI_SWIFT_AUTH_FAILED: Store 'objects' \(swift\): http:\/\/127\.0\.0\.1:8080\/auth\/v1\.0 refused the credentials \(HTTP 401\)\.\n {2}hint: Check swift_store_user \/ swift_store_key; the values are not shown\.\n$/,
    ],
    [
      'a missing container',
      (ini) => ini.replace(`swift_store_container = ${CONTAINER}`, 'swift_store_container = gi-e2e-no-such-container'),
      /^error GI_SWIFT_NO_CONTAINER: Store 'objects' \(swift\): the container gi-e2e-no-such-container does not exist in Swift\.\n {2}hint: .*swift_store_create_container_on_put = true in \[objects\]/,
    ],
    [
      'no swift key at all',
      (ini) => ini.replace(/^swift_store_key = .*\n/m, ''),
      /^error GI_SWIFT_BAD_OPTIONS: Store 'objects' \(swift\): swift_store_key is required\.\n/,
    ],
    [
      'an unknown swift option',
      (ini) => ini.replace('swift_store_container =', 'swift_store_contianer ='),
      /^error GI_CONFIG_UNKNOWN_OPTION: .*glance-api\.conf:\d+: unknown option 'swift_store_contianer' in \[objects\]\. Did you mean 'swift_store_container'/,
    ],
    [
      'an S3 endpoint nothing listens on',
      (ini) => ini.replace(`s3_store_host = ${swift.url}`, 's3_store_host = 127.0.0.1:9'),
      /^error GI_S3_UNREACHABLE: Store 's3objects' \(s3\): cannot reach http:\/\/127\.0\.0\.1:9 \(s3_store_host\): ECONNREFUSED\.\n/,
    ],
    [
      'a wrong S3 secret',
      (ini) => ini.replace('s3_store_secret_key = testing', 's3_store_secret_key = not-the-secret'),
      /^error GI_S3_ACCESS_DENIED: Store 's3objects' \(s3\): the S3 service refused HeadBucket .* \(HTTP 403 Forbidden\)\.\n {2}hint: Check s3_store_access_key \/ s3_store_secret_key/,
    ],
  ];

  it.each(cases)('%s', async (_what, edit, expected) => {
    const dir = path.join(work.dir, `bad-${randomBytes(3).toString('hex')}`);
    const bad = path.join(dir, 'glance-api.conf');
    mkdirSync(dir);
    writeFileSync(bad, edit(base()));
    const [started, checked] = await Promise.all([
      cli(['serve', '--data-dir', path.join(dir, 'data'), '--port', '0', '--config-file', bad]),
      cli(['config', 'check', '--config-file', bad]),
    ]);
    for (const r of [started, checked]) {
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr.replace(/^\(node:\d+\) Warning: NodeVersionSupportWarning[\s\S]*?\n\(Use `node --trace-warnings[^\n]*\n/, '')).toMatch(expected);
      for (const secret of ['not-the-key', 'not-the-secret', 'testing', 'test:tester']) expect(r.stdout + r.stderr).not.toContain(secret);
    }
    expect(started.stdout).not.toContain('serving the Image API');
  });
});
