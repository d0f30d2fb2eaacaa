import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.js';
import { installFixturePackage } from './support/fixture-package.js';
import { serve, tempDir, type RunningServer } from './support/glance-server.js';
import { objectStoreGroups, sharedSwift, type SwiftInstance } from './support/swift.js';

// `serve` killed (SIGKILL) while it writes an image to Swift through both APIs, then started again on
// the same data dir. The stores: `objects` (swift), `s3objects` (s3) on the shared reference Swift,
// and the fixture driver `faulty` (test/fixtures/store-driver), which holds the fan-out after 12 MiB
// while a file exists, so that the kill lands with segments written and a multipart upload open.
// `held` cannot discard what a cut-short write left (the step is then reverted on restart);
// `heldr` can (it is then run again).

const work = tempDir('object-stores-crash');
const HOLD = path.join(work.dir, 'hold');
const suffix = randomBytes(4).toString('hex');
const CONTAINER = `gi-crash-${suffix}`;
const BUCKET = `gi-crash-${suffix}-b`;
const MiB = 1024 * 1024;
const data = randomBytes(24 * MiB + 7);
const dataDir = path.join(work.dir, 'data');
let swift: SwiftInstance;
let conf: string;
let site: RunningServer;
let api: ApiClient;

const start = async () => {
  site = await serve(dataDir, ['--config-file', conf]);
  api = new ApiClient(site.url, await site.token('alice', 'p1', ['member', 'reader']));
};

beforeAll(async () => {
  swift = await sharedSwift();
  await swift.create(CONTAINER);
  await swift.create(BUCKET);
  const plugins = path.join(work.dir, 'plugins');
  installFixturePackage(plugins, 'store-driver', ['core', 'store']);
  const held = (name: string, extra: string[]) => [
    `[${name}]`,
    `filesystem_store_datadir = ${path.join(work.dir, name)}`,
    `hold_while = ${HOLD}`,
    `hold_after_bytes = ${12 * MiB}`,
    ...extra,
    '',
  ];
  conf = path.join(work.dir, 'glance-api.conf');
  writeFileSync(
    conf,
    [
      '[DEFAULT]',
      'enabled_backends = local:file, objects:swift, s3objects:s3, held:faulty, heldr:faulty',
      '',
      '[glance_store]',
      'default_backend = local',
      '',
      '[local]',
      `filesystem_store_datadir = ${path.join(work.dir, 'local')}`,
      '',
      ...objectStoreGroups(swift, CONTAINER, BUCKET),
      ...held('held', []),
      ...held('heldr', ['discardable = true']),
      '[glance_import]',
      `plugin_dirs = ${plugins}`,
      '',
    ].join('\n'),
  );
  await start();
}, 120_000);

afterAll(async () => {
  rmSync(HOLD, { force: true });
  await site?.stop();
  for (const c of [CONTAINER, BUCKET, `${BUCKET}+segments`]) await swift?.drop(c).catch(() => undefined);
  work.remove();
}, 120_000);

/** What Swift holds of the image: in the container, in the bucket, and s3api's parts (`<key>/<upload id>/<n>`). */
async function inSwift(id: string) {
  const mine = (names: string[]) => names.filter((n) => n.startsWith(id));
  return { container: mine(await swift.list(CONTAINER)), bucket: mine(await swift.list(BUCKET)), parts: mine(await swift.list(`${BUCKET}+segments`)) };
}

async function until<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`waited ${ms / 1000} s for ${what}; last: ${JSON.stringify(v)}`);
    await sleep(50);
  }
}

/** An image staged and importing into `stores`, killed with `serve` once Swift holds segments and an open upload of it. */
async function killedMidWrite(stores: string[]): Promise<string> {
  const id = await api.create({ name: `crash-${stores.join('-')}` });
  expect((await api.stage(id, data)).status).toBe(204);
  writeFileSync(HOLD, '');
  const r = await api.call('POST', `/v2/images/${id}/import`, { json: { method: { name: 'glance-direct' }, stores, all_stores_must_succeed: true } });
  expect(r.status, r.text).toBe(202);
  await until(
    'segments and parts in Swift',
    () => inSwift(id),
    (s) => s.container.length >= 10 && s.parts.length >= 2,
  );
  await site.kill();
  rmSync(HOLD);
  const left = await inSwift(id);
  // What the kill left: segments and no manifest; parts of an upload and no object.
  expect(left.container).not.toContain(id);
  expect(left.bucket).toEqual([]);
  await start();
  return id;
}

const segments = (id: string, n: number) => Array.from({ length: n }, (_, i) => `${id}-${String(i + 1).padStart(5, '0')}`);

describe('serve killed mid-write to Swift and S3, then started again', () => {
  it('with every target store able to discard: the write runs again and Swift holds the completed image only', async () => {
    const id = await killedMidWrite(['objects', 's3objects', 'heldr']);
    const { image, task } = await until(
      'the import to end',
      () => api.settled(id),
      () => true,
      90_000,
    );
    expect(task.status, task.message).toBe('success');
    expect(image).toMatchObject({ status: 'active', size: data.length, stores: expect.stringContaining('objects') });
    expect(site.output().stdout).toContain('1 resumed');
    const now = await inSwift(id);
    // 24 MiB + 7 bytes: 25 segments of 1,024,000 bytes and their manifest; one upload's 5 parts, the killed one aborted.
    expect(now.container).toEqual([id, ...segments(id, 25)]);
    expect(now.bucket).toEqual([id]);
    expect(now.parts).toHaveLength(5);
    expect(new Set(now.parts.map((p) => p.split('/')[1])).size).toBe(1);
    const got = await api.call('GET', `/v2/images/${id}/file`);
    expect(got.body.equals(data)).toBe(true);
  }, 180_000);

  it('with a target store that cannot: the import is reverted and Swift holds nothing of the image', async () => {
    const id = await killedMidWrite(['objects', 's3objects', 'held']);
    const { task } = await until(
      'the import to end',
      () => api.settled(id),
      () => true,
      90_000,
    );
    expect(task.status).toBe('failure');
    expect(await inSwift(id)).toEqual({ container: [], bucket: [], parts: [] });
  }, 180_000);
});
