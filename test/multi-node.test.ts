import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.js';
import { clusterNodes, freePort, type ClusterNode } from './support/cluster.js';
import { gatePluginConfig } from './support/gate-plugin.js';
import { cli, tempDir } from './support/glance-server.js';
import { startNginx, type RunningNginx } from './support/nginx.js';
import { postgresSchema, type PostgresSchema } from './support/postgres.js';

// Several nodes as an operator runs them (README "Several nodes"): three `serve` processes on
// 127.0.0.1, each with its own port, data dir and node-local staging, one PostgreSQL database made
// by `db sync`, one file store directory they share, and etc/nginx-glance-import.conf in front.
// Each node names itself in worker_self_reference_url, so an import landing on a node that did not
// stage the image is relayed to the one that did. The import chain is the fixture plugin `gate`,
// which holds an import while the file `gate_hold` names exists.

const work = tempDir('multi-node');
const store = path.join(work.dir, 'store');
let schema: PostgresSchema;
let conf: string;
let nodes: ClusterNode[];
let a: ClusterNode;
let b: ClusterNode;
let c: ClusterNode;
let lb: RunningNginx;
let token: string;
let source: http.Server;
let sourceUrl: string;
const sourceData = randomBytes(300 * 1024);

const md5 = (d: Buffer) => createHash('md5').update(d).digest('hex');
const sha512 = (d: Buffer) => createHash('sha512').update(d).digest('hex');
const api = (n: ClusterNode | RunningNginx) => new ApiClient(n.url, token);
const staging = (n: ClusterNode) => readdirSync(path.join(n.dataDir, 'staging'));
const glanceDirect = { json: { method: { name: 'glance-direct' } } };
const importCall = (via: ClusterNode | RunningNginx, id: string, o: { json: unknown } = glanceDirect) => api(via).call('POST', `/v2/images/${id}/import`, o);

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${what}`);
    await sleep(50);
  }
}

/** An image created and staged through `node`. */
async function stagedOn(node: ClusterNode, data: Buffer, extra: Record<string, unknown> = {}): Promise<string> {
  const id = await api(node).create(extra);
  const r = await api(node).stage(id, data);
  if (r.status !== 204) throw new Error(`stage answered ${r.status}: ${r.text}`);
  return id;
}

/** The image ends active with the data's size and hashes, and downloads byte for byte through `via`. */
async function expectImported(via: ClusterNode | RunningNginx, id: string, data: Buffer): Promise<void> {
  const { image, task } = await api(via).settled(id);
  expect(task).toMatchObject({ status: 'success' });
  expect(image).toMatchObject({ status: 'active', size: data.length, checksum: md5(data), os_hash_algo: 'sha512', os_hash_value: sha512(data) });
  const file = await api(via).call('GET', `/v2/images/${id}/file`);
  expect(md5(file.body)).toBe(md5(data));
}

/** An image staged on A whose import, called through `via`, the gate holds on A; then A is killed (SIGKILL). */
async function heldOnAThenKilled(name: string, via: ClusterNode, size: number) {
  const hold = path.join(work.dir, `${name}.hold`);
  writeFileSync(hold, '');
  const data = randomBytes(size);
  const id = await stagedOn(a, data, { gate_hold: hold });
  expect((await importCall(via, id)).status).toBe(202);
  const task = await until('the import to run on A', async () => {
    const [t] = await api(c).tasks(id);
    return t?.status === 'processing' ? t : undefined;
  });
  await a.server!.kill();
  return { id, data, hold, task };
}

beforeAll(async () => {
  schema = await postgresSchema();
  source = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-length': sourceData.length, 'content-type': 'application/octet-stream' });
    res.end(sourceData);
  });
  await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
  sourceUrl = `http://127.0.0.1:${(source.address() as AddressInfo).port}/disk.raw`;
  mkdirSync(store);
  conf = gatePluginConfig(
    work.dir,
    [
      '[database]',
      `connection = ${schema.url}`,
      'max_pool_size = 4',
      '[glance_store]',
      `filesystem_store_datadir = ${store}`,
      '[import_filtering_opts]',
      'allow_local_addresses = true',
      `allowed_ports = 80, 443, ${new URL(sourceUrl).port}`,
      '',
    ].join('\n'),
  );
  const sync = await cli(['db', 'sync', '--config-file', conf]);
  expect(sync.code, sync.stderr).toBe(0);
  nodes = await clusterNodes(work.dir, ['a', 'b', 'c'], { shared: [conf], selfReference: true });
  [a, b, c] = nodes as [ClusterNode, ClusterNode, ClusterNode];
  await Promise.all(nodes.map((n) => n.start()));
  const made = await cli([
    'token',
    'create',
    '--config-file',
    conf,
    '--data-dir',
    path.join(work.dir, 'tokens'),
    '--user',
    'alice',
    '--project',
    'p1',
    '--roles',
    'member,reader',
  ]);
  expect(made.code, made.stderr).toBe(0);
  token = made.stdout.trim();
  lb = await startNginx(
    await freePort(),
    nodes.map((n) => `127.0.0.1:${n.port}`),
  );
}, 90_000);

afterAll(async () => {
  await Promise.all(nodes?.map((n) => n.server?.stop()) ?? []);
  await lb?.stop();
  await new Promise((r) => source?.close(r));
  await schema?.drop();
  work.remove();
});

// Under load, a step that takes a second on a quiet machine takes ten: each case has its own budget.
const CASE_MS = 90_000;

describe('three nodes on one PostgreSQL database', () => {
  it(
    'stage on node A, import through node B, watch from node C: B relays the call to A, which runs it; C sees every step',
    async () => {
      const hold = path.join(work.dir, 'watch.hold');
      writeFileSync(hold, '');
      const data = randomBytes(2 * 1024 * 1024 + 5);
      const id = await stagedOn(a, data, { gate_hold: hold });
      expect(staging(a)).toContain(id);
      expect(staging(b)).not.toContain(id);
      // The stage host is recorded, and shown by no node.
      expect((await schema.sql("SELECT value FROM image_properties WHERE image_id = ? AND name = 'os_glance_stage_host'", [id]))[0]).toEqual({ value: a.url });
      expect(await api(c).image(id)).not.toHaveProperty('os_glance_stage_host');

      const answer = await importCall(b, id);
      expect(answer.status).toBe(202);
      const running = await until('C to see the import run', async () => {
        const [t] = await api(c).tasks(id);
        return t?.status === 'processing' && t.progress?.phase ? t : undefined;
      });
      // A's answer (its request id) came back through B.
      expect(running.request_id).toBe(answer.headers.get('x-openstack-request-id'));
      expect(await api(c).image(id)).toMatchObject({ status: 'importing' });
      rmSync(hold);
      await expectImported(c, id, data);
      const done = (await api(c).tasks(id))[0]!;
      expect(done.message).toBe('Copied 2 MiB');
      expect(done.progress.phases.length).toBeGreaterThan(1);
      expect(staging(a)).not.toContain(id);
      expect(b.server!.output().stdout).toContain('relaying the import to the node that staged the image');
    },
    CASE_MS,
  );

  it(
    'nodes racing to import one image: exactly one call wins, the others get 409, and the losers leave no task',
    async () => {
      // web-download runs on the node the call lands on: three processes race for the lock in the database.
      const id = await api(a).create();
      const answers = await Promise.all([a, b, c, a, b, c].map((n) => importCall(n, id, { json: { method: { name: 'web-download', uri: sourceUrl } } })));
      expect(answers.map((r) => r.status).sort()).toEqual([202, 409, 409, 409, 409, 409]);
      const { image } = await api(c).settled(id);
      expect(image).toMatchObject({ status: 'active', checksum: md5(sourceData), os_hash_value: sha512(sourceData) });
      expect(await api(b).tasks(id)).toHaveLength(1);

      // glance-direct: every node's call ends on the stage host, still one import.
      const staged = await stagedOn(b, Buffer.from('raced'));
      const direct = await Promise.all([a, b, c, a, b, c].map((n) => importCall(n, staged)));
      expect(direct.map((r) => r.status).sort()).toEqual([202, 409, 409, 409, 409, 409]);
      expect((await api(a).settled(staged)).image.status).toBe('active');
      expect(await api(c).tasks(staged)).toHaveLength(1);
    },
    CASE_MS,
  );

  it(
    '50 images staged and imported at once through nginx, spread over the three nodes: all active with their size, md5 and sha512',
    async () => {
      const lbApi = api(lb);
      const logFrom = nodes.map((n) => n.server!.output().stdout.length);
      const logOf = (i: number) => nodes[i]!.server!.output().stdout.slice(logFrom[i]);
      const images = Array.from({ length: 50 }, (_, i) => randomBytes(128 * 1024 + i * 4099));
      const started = performance.now();
      const ids = await Promise.all(
        images.map(async (data, i) => {
          const id = await lbApi.create({ name: `many-${i}` });
          const staged = await lbApi.stage(id, data);
          expect(staged.status, staged.text).toBe(204);
          const imported = await lbApi.call('POST', `/v2/images/${id}/import`, glanceDirect);
          expect(imported.status, imported.text).toBe(202);
          return id;
        }),
      );
      const byId = await until(
        'the 50 imports to end',
        async () => {
          const listed = (await lbApi.call('GET', '/v2/images?limit=200')).json.images as Array<Record<string, any>>;
          const mine = listed.filter((im) => ids.includes(im.id));
          const failed = mine.filter((im) => im.status !== 'importing' && im.status !== 'active');
          if (failed.length) throw new Error(`imports failed: ${JSON.stringify(await Promise.all(failed.map((im) => lbApi.tasks(im.id))))}`);
          return mine.length === ids.length && mine.every((im) => im.status === 'active') ? new Map(mine.map((im) => [im.id, im])) : undefined;
        },
        80_000,
      );
      const seconds = (performance.now() - started) / 1000;
      console.log(`multi-node: 50 images (128 KiB to 326 KiB) created, staged and imported across 3 nodes through nginx in ${seconds.toFixed(1)} s`);
      ids.forEach((id, i) => {
        const data = images[i]!;
        expect(byId.get(id)).toMatchObject({ size: data.length, checksum: md5(data), os_hash_algo: 'sha512', os_hash_value: sha512(data) });
      });
      for (const i of [0, 17, 49]) expect(md5((await lbApi.call('GET', `/v2/images/${ids[i]}/file`)).body)).toBe(md5(images[i]!));
      // nginx spread the images (creates round-robin, each image's calls by its id): every node
      // created, staged and ran imports, and none needed relaying.
      nodes.forEach((n, i) => {
        expect(logOf(i), n.name).toContain('"method":"POST","url":"/v2/images"');
        expect(logOf(i), n.name).toContain('"msg":"Import started"');
        expect(logOf(i), n.name).not.toContain('relaying the import');
      });
    },
    CASE_MS,
  );

  it(
    'node A killed (kill -9) mid-import: the other nodes keep serving and refuse a second import; once A restarts the image is recovered and imports',
    async () => {
      const { id, data, hold } = await heldOnAThenKilled('crash', b, 512 * 1024);

      expect(await api(b).image(id)).toMatchObject({ status: 'importing' });
      // Its lock is an hour from stale: another import waits, whichever node it lands on.
      expect((await importCall(c, id)).status).toBe(409);
      expect((await api(lb).call('GET', '/v2/images?limit=1')).status).toBe(200);

      rmSync(hold);
      await a.start();
      // Recovered by A's start-up: rolled forward to active, or put back to uploading with its staged data for a plain retry.
      const image = await until('A to recover the image', async () => {
        const im = await api(c).image(id);
        const [t] = await api(c).tasks(id);
        return im.status !== 'importing' && (t?.status === 'success' || t?.status === 'failure') ? im : undefined;
      });
      if (image.status !== 'active') {
        expect(image).toMatchObject({ status: 'uploading', size: data.length });
        expect((await importCall(c, id)).status).toBe(202);
      }
      await expectImported(c, id, data);
    },
    CASE_MS,
  );

  it(
    'node A killed and restarted while B and C import: its start-up recovers only its own imports, theirs run on to active',
    async () => {
      const hold = path.join(work.dir, 'others.hold');
      writeFileSync(hold, '');
      const onB = randomBytes(200 * 1024);
      const onC = randomBytes(300 * 1024);
      const ids = [await stagedOn(b, onB, { gate_hold: hold }), await stagedOn(c, onC, { gate_hold: hold })];
      for (const id of ids) expect((await importCall(a, id)).status).toBe(202);
      const running = await Promise.all(
        ids.map((id) =>
          until('the imports to run on B and C', async () => {
            const [t] = await api(c).tasks(id);
            return t?.status === 'processing' ? t : undefined;
          }),
        ),
      );
      await a.server!.kill();
      await a.start();
      for (const [i, id] of ids.entries()) {
        expect((await api(a).tasks(id))[0]).toMatchObject({ id: running[i]!.id, status: 'processing' });
        expect(await api(a).image(id)).toMatchObject({ status: 'importing' });
      }
      rmSync(hold);
      await expectImported(a, ids[0]!, onB);
      await expectImported(a, ids[1]!, onC);
    },
    CASE_MS,
  );

  it(
    'a stale lock is taken over from another node (the call sent through nginx): the dead holder’s task fails "Expired lock preempted", the image is retryable; its stage host down is a clear 504',
    async () => {
      const { id, data, hold, task: held } = await heldOnAThenKilled('stale', a, 256 * 1024);
      // What a holder that stopped making progress leaves, an hour on.
      await schema.sql('UPDATE tasks SET updated_at = ? WHERE id = ?', [new Date(Date.now() - 61 * 60_000).toISOString(), held.id]);

      // Through nginx: A refuses connections, so the call goes to the next node, which takes the lock over and relays.
      const refused = await importCall(lb, id);
      expect(refused.status).toBe(504);
      expect(refused.headers.get('x-glance-import-error-code')).toBe('GI_IMPORT_STAGE_HOST_UNREACHABLE');
      expect(refused.text).toContain('Stage host is unavailable');
      expect(refused.text).toContain(`staged on ${a.url}`);
      const [preempted] = await api(c).tasks(id);
      expect(preempted).toMatchObject({ id: held.id, status: 'failure', message: 'Expired lock preempted' });
      const image = await api(c).image(id);
      expect(image).toMatchObject({ status: 'uploading', size: data.length });
      expect(image.os_glance_import_task).toBeUndefined();

      rmSync(hold);
      await a.start();
      expect((await importCall(c, id)).status).toBe(202);
      await expectImported(c, id, data);
    },
    CASE_MS,
  );

  it(
    'a shared staging directory (node_staging_uri, no worker_self_reference_url): any node imports what another staged, even once that node is gone',
    async () => {
      const shared = path.join(work.dir, 'shared-staging');
      mkdirSync(shared);
      const sharedConf = path.join(work.dir, 'shared-staging.conf');
      writeFileSync(sharedConf, `[DEFAULT]\nnode_staging_uri = file://${shared}\n`);
      const [d, e] = (await clusterNodes(work.dir, ['d', 'e'], { shared: [conf, sharedConf], selfReference: false })) as [ClusterNode, ClusterNode];
      nodes.push(d, e);
      await Promise.all([d.start(), e.start()]);
      const data = randomBytes(384 * 1024);
      const id = await stagedOn(d, data);
      expect(readdirSync(shared)).toContain(id);
      expect(await schema.sql("SELECT value FROM image_properties WHERE image_id = ? AND name = 'os_glance_stage_host'", [id])).toEqual([]);
      await d.server!.stop();
      expect((await importCall(e, id)).status).toBe(202);
      await expectImported(e, id, data);
      expect(e.server!.output().stdout).not.toContain('relaying the import');
      expect(readdirSync(shared)).not.toContain(id);
    },
    CASE_MS,
  );
});
