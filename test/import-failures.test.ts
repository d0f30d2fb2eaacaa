import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatePluginConfig } from './support/gate-plugin.js';
import { notRoot, serve, tempDir, type RunningServer } from './support/glance-server.js';
import { ApiClient, partialUpload } from './support/api-client.js';

// Each way an import or its data transfer can fail, on a real `glance-import serve` process whose
// import chain is the fixture plugin `gate` (loaded through [glance_import] plugin_dirs). After each:
// the image is back in its pre-import status (glance-direct: `uploading`, staged data intact), the
// lock `os_glance_import_task` is released, the task ended `failure` with a readable message, and
// nothing is left in `importing`.

const work = tempDir('failures');
const dataDir = path.join(work.dir, 'data');
const storeDir = path.join(dataDir, 'images');
const SIZE_CAP = 4 * 1024 * 1024;
let conf: string;
let server: RunningServer;
let api: ApiClient;

/** A server under test: how to call it and where its data is. */
interface Site {
  api: ApiClient;
  dataDir: string;
}
const main = (): Site => ({ api, dataDir });

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const stagedFiles = (id: string, site = main()) => readdirSync(path.join(site.dataDir, 'staging')).filter((f) => f.startsWith(id));
const storedFiles = (id: string, site = main()) => {
  const dir = path.join(site.dataDir, 'images');
  return existsSync(dir) && statSync(dir).isDirectory() ? readdirSync(dir).filter((f) => f.startsWith(id)) : [];
};

beforeAll(async () => {
  conf = gatePluginConfig(work.dir, `\n[DEFAULT]\nimage_size_cap = ${SIZE_CAP}\n`);
  server = await serve(dataDir, ['--config-file', conf]);
  api = new ApiClient(server.url, await server.token('alice', 'p1', ['member', 'reader']));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  work.remove();
});

async function staged(extra: Record<string, unknown> = {}, data = randomBytes(200_000), { api } = main()): Promise<{ id: string; data: Buffer }> {
  const id = await api.create(extra);
  expect((await api.stage(id, data)).status).toBe(204);
  return { id, data };
}

/** The state every failed glance-direct import must leave: ready to be imported again. */
async function expectBackToUploading(id: string, data: Buffer, message: RegExp, site = main()): Promise<void> {
  const { image, task } = await site.api.settled(id);
  expect(task).toMatchObject({ status: 'failure', message: expect.stringMatching(message) });
  expect(image).toMatchObject({ status: 'uploading', size: data.length, checksum: null, os_hash_value: null, os_glance_importing_to_stores: '' });
  expect(image.os_glance_import_task).toBeUndefined();
  expect(stagedFiles(id, site)).toEqual([id]);
  expect(statSync(path.join(site.dataDir, 'staging', id)).size).toBe(data.length);
  expect(storedFiles(id, site)).toEqual([]);
}

async function expectImportsAgain(id: string, data: Buffer, site = main()): Promise<void> {
  expect((await site.api.importDirect(id)).status).toBe(202);
  const { image, task } = await site.api.settled(id);
  expect(task.status).toBe('success');
  expect(image).toMatchObject({ status: 'active', checksum: md5(data), size: data.length });
  expect(stagedFiles(id, site)).toEqual([]);
}

const patch = (id: string, ops: unknown) =>
  api.call('PATCH', `/v2/images/${id}`, { json: ops, headers: { 'Content-Type': 'application/openstack-images-v2.1-json-patch' } });

describe('import failures through a real server process', () => {
  it('a plugin that throws: failure with its message, image back to uploading with its staged data; the same import then succeeds', async () => {
    const { id, data } = await staged({ gate_fail: 'the disk is not bootable' });
    expect((await api.importDirect(id)).status).toBe(202);
    await expectBackToUploading(id, data, /^gate plugin refused the image: the disk is not bootable$/);
    expect((await patch(id, [{ op: 'remove', path: '/gate_fail' }])).status).toBe(200);
    await expectImportsAgain(id, data);
  });

  it('a plugin that throws without a GI_* code: the task names the plugin (GI_PLUGIN_FAILED, error_plugin) and keeps its words as the message', async () => {
    const { id } = await staged({ gate_fail: 'no code here' });
    expect((await api.importDirect(id)).status).toBe(202);
    const { task } = await api.settled(id);
    expect(task).toMatchObject({
      status: 'failure',
      message: 'gate plugin refused the image: no code here',
      result: null,
      error_code: 'GI_PLUGIN_FAILED',
      error_plugin: 'gate',
    });
  });

  it('a store write that fails (the store directory replaced by a file): the reason names the store; after repair the import succeeds', async () => {
    const { id, data } = await staged();
    rmSync(storeDir, { recursive: true, force: true });
    writeFileSync(storeDir, 'not a directory');
    try {
      expect((await api.importDirect(id)).status).toBe(202);
      await expectBackToUploading(id, data, /^Writing to store\(s\) local failed: local: Store 'local' cannot be written: .*ENOTDIR/);
    } finally {
      rmSync(storeDir, { force: true });
      mkdirSync(storeDir);
    }
    await expectImportsAgain(id, data);
  });

  it('a store the server user may not write (read-only, the server not root): the reason names EACCES; once writable the import succeeds', async () => {
    const user = notRoot();
    const base = path.join(work.dir, 'read-only');
    const site: Site = { api, dataDir: path.join(base, 'data') };
    mkdirSync(site.dataDir, { recursive: true });
    chmodSync(work.dir, 0o755);
    if (user.uid !== undefined && user.gid !== undefined) chownSync(site.dataDir, user.uid, user.gid);
    const other = await serve(site.dataDir, [], user);
    try {
      site.api = new ApiClient(other.url, other.adminToken!);
      const { id, data } = await staged({}, randomBytes(100_000), site);
      chmodSync(path.join(site.dataDir, 'images'), 0o555);
      expect((await site.api.importDirect(id)).status).toBe(202);
      await expectBackToUploading(id, data, /^Writing to store\(s\) local failed: local: Store 'local' cannot be written: .*EACCES/, site);
      chmodSync(path.join(site.dataDir, 'images'), 0o755);
      await expectImportsAgain(id, data, site);
    } finally {
      await other.stop();
    }
  });

  it('while an import runs it holds the lock; a second import gets 409; the image is importing until it ends', async () => {
    const hold = path.join(work.dir, 'hold-1');
    writeFileSync(hold, '');
    const { id, data } = await staged({ gate_hold: hold });
    expect((await api.importDirect(id)).status).toBe(202);
    const [task] = await api.tasks(id);
    expect(await api.image(id)).toMatchObject({ status: 'importing', os_glance_import_task: task!.id });
    const second = await api.importDirect(id);
    expect(second.status).toBe(409);
    expect(second.text).toContain("Image needs to be staged before 'glance-direct' method can be used");
    expect((await api.stage(id, data)).status).toBe(409);
    rmSync(hold);
    const { image } = await api.settled(id);
    expect(image).toMatchObject({ status: 'active', checksum: md5(data) });
    expect(image.os_glance_import_task).toBeUndefined();
    expect((await api.tasks(id)).map((t) => t.status)).toEqual(['success']);
  });

  it('two imports racing: exactly one is accepted, the other answers 409, one task runs and succeeds', async () => {
    const { id, data } = await staged();
    const answers = await Promise.all([api.importDirect(id), api.importDirect(id)]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    const { image } = await api.settled(id);
    expect(image).toMatchObject({ status: 'active', checksum: md5(data) });
    expect((await api.tasks(id)).map((t) => t.status)).toEqual(['success']);
  });

  it.each([
    ['stage', 'end', 'a truncated stage (Content-Length larger than what is sent)'],
    ['stage', 'destroy', 'a client that disconnects mid-stage'],
    ['file', 'end', 'a truncated upload'],
    ['file', 'destroy', 'a client that disconnects mid-upload'],
  ] as const)('%s/%s — %s: the image is queued again, the partial data removed (a stage keeps it for a resume)', async (target, close, _what) => {
    const id = await api.create();
    const logged = server.output().stdout.length;
    await partialUpload(server.url, api.token, `/v2/images/${id}/${target}`, { declared: 3_000_000, send: 1_000_000, close });
    let image = await api.image(id);
    for (let i = 0; i < 100 && image.status !== 'queued'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      image = await api.image(id);
    }
    expect(image).toMatchObject({ status: 'queued', size: null, checksum: null });
    if (target === 'stage') {
      // Beyond Glance: the broken-off upload is kept at its durable offset until a plain PUT replaces it.
      expect(stagedFiles(id).sort()).toEqual([`${id}.upload`, `${id}.upload-offset`]);
      const head = await api.call('HEAD', `/v2/images/${id}/stage`);
      expect([head.status, head.headers.get('x-image-stage-state')]).toEqual([200, 'partial']);
      // A reset connection may drop bytes in flight; a half-closed one delivers them all.
      const offset = Number(head.headers.get('x-image-stage-offset'));
      if (close === 'end') expect(offset).toBe(1_000_000);
      else expect(offset).toBeLessThanOrEqual(1_000_000);
    } else expect(stagedFiles(id)).toEqual([]);
    expect(storedFiles(id)).toEqual([]);
    // The client's doing, not the server's: nothing at error level in the server's log.
    expect(
      server
        .output()
        .stdout.slice(logged)
        .split('\n')
        .filter((l) => l.startsWith('{"level":50')),
    ).toEqual([]);
    // Nothing is left behind that would refuse the next attempt.
    const data = randomBytes(1000);
    expect((await api.call('PUT', `/v2/images/${id}/${target}`, { body: data, headers: { 'Content-Type': 'application/octet-stream' } })).status).toBe(204);
    if (target === 'stage') expect(stagedFiles(id)).toEqual([id]);
  });

  it.each(['stage', 'file'])('%s over image_size_cap: 413 "The incoming image is too large", nothing kept, the image queued', async (target) => {
    const id = await api.create();
    // Chunked (no Content-Length), so the cap is found while the data streams, as in Glance's test_image_size_cap.
    const body = Readable.toWeb(Readable.from([Buffer.alloc(SIZE_CAP, 1), Buffer.alloc(1, 1)])) as ReadableStream;
    const r = await fetch(`${server.url}/v2/images/${id}/${target}`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': api.token, 'Content-Type': 'application/octet-stream' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(r.status).toBe(413);
    expect(await r.text()).toContain('The incoming image is too large');
    expect(await api.image(id)).toMatchObject({ status: 'queued', size: null, checksum: null });
    expect(stagedFiles(id)).toEqual([]);
    expect(storedFiles(id)).toEqual([]);
  });

  it('a server killed during an import in a step that may not run again: on restart it is reverted, the task failed as interrupted, the image back to uploading', async () => {
    const hold = path.join(work.dir, 'hold-2');
    writeFileSync(hold, '');
    const { id, data } = await staged({ gate_hold: hold });
    expect((await api.importDirect(id)).status).toBe(202);
    expect((await api.image(id)).status).toBe('importing');
    // Killed inside the gate, which is not rerunnable here: before it, the import would resume.
    for (let i = 0; i < 1200 && (await api.tasks(id))[0]?.progress?.phase !== 'Gate'; i++) await new Promise((r) => setTimeout(r, 25));
    expect((await api.tasks(id))[0]?.progress?.phase).toBe('Gate');
    await server.kill();
    server = await serve(dataDir, ['--config-file', conf]);
    api = new ApiClient(server.url, api.token);
    rmSync(hold);
    await expectBackToUploading(id, data, /interrupted by a server restart in step Gate, which cannot safely run again; what it had done was reverted\.$/);
    await expectImportsAgain(id, data);
  });
});

describe("malformed requests answer Glance's 4xx and change nothing", () => {
  it('malformed JSON, bodies of the wrong shape and unknown fields of the wrong type', async () => {
    const json = (body: string) => api.call('POST', '/v2/images', { body, headers: { 'Content-Type': 'application/json' } });
    expect(await json('{bad')).toMatchObject({ status: 400, text: expect.stringContaining('Malformed JSON in request body.') });
    expect(await json('')).toMatchObject({ status: 400, text: expect.stringContaining('Body expected in request.') });
    expect((await json('true')).status).toBe(400);
    expect((await json('[1]')).status).toBe(400); // Glance 25.1.0 answers 500 here
    expect(await json('{"name":"x","weird":1}')).toMatchObject({
      status: 400,
      text: expect.stringContaining("Provided object does not match schema 'image': 1 is not of type 'string'"),
    });
    expect(await json('{"id":"not-a-uuid"}')).toMatchObject({ status: 400, text: expect.stringContaining("Provided object does not match schema 'image'") });
    expect(await json('{"min_ram":"1"}')).toMatchObject({ status: 400, text: expect.stringContaining("is not of type 'integer'") });
    expect(await json('{"os_glance_import_task":"x"}')).toMatchObject({
      status: 403,
      text: expect.stringContaining("Attribute 'os_glance_import_task' is reserved."),
    });
    expect(await json('{"location":"file:///etc/passwd"}')).toMatchObject({ status: 403, text: expect.stringContaining("Attribute 'location' is reserved.") });
    expect(await json('{"size":1}')).toMatchObject({ status: 403, text: expect.stringContaining("Attribute 'size' is read-only.") });
  });

  it('malformed JSON-patch bodies', async () => {
    const id = await api.create({ foo: 'bar' });
    const before = await api.image(id);
    const v21 = (body: string) => api.call('PATCH', `/v2/images/${id}`, { body, headers: { 'Content-Type': 'application/openstack-images-v2.1-json-patch' } });
    expect(await v21('[{bad')).toMatchObject({ status: 400, text: expect.stringContaining('Malformed JSON in request body.') });
    expect(await v21('{"op":"add"}')).toMatchObject({ status: 400, text: expect.stringContaining('Request body must be a JSON array of operation objects.') });
    expect(await v21('[{"op":"move","path":"/name","value":"x"}]')).toMatchObject({ status: 400, text: expect.stringContaining('Invalid operation: `move`') });
    expect(await v21('[{"op":"add","value":"x"}]')).toMatchObject({
      status: 400,
      text: expect.stringContaining("Unable to find 'path' in JSON Schema change"),
    });
    expect(await v21('[{"op":"add","path":"/name"}]')).toMatchObject({
      status: 400,
      text: expect.stringContaining('Operation &quot;add&quot; requires a member named &quot;value&quot;.'),
    });
    expect(await v21('[{"op":"add","path":"name","value":"x"}]')).toMatchObject({
      status: 400,
      text: expect.stringContaining('Pointer `name` does not start with &quot;/&quot;.'),
    });
    expect((await v21('[{"op":"add","path":"/a/b","value":"x"}]')).status).toBe(400);
    expect(await v21('[{"op":"add","path":"/a~2b","value":"x"}]')).toMatchObject({
      status: 400,
      text: expect.stringContaining('contains &quot;~&quot; not part of a recognized escape sequence.'),
    });
    expect(await v21('[{"op":"add","path":"/num","value":1}]')).toMatchObject({ status: 400, text: expect.stringContaining("1 is not of type 'string'") });
    expect(await v21('[{"op":"replace","path":"/nope","value":"x"}]')).toMatchObject({
      status: 409,
      text: expect.stringContaining('Property nope does not exist.'),
    });
    expect(await v21('[{"op":"remove","path":"/name"}]')).toMatchObject({ status: 403, text: expect.stringContaining('Property name may not be removed.') });
    const v20 = await api.call('PATCH', `/v2/images/${id}`, {
      body: '[{"add":"/foo","value":"x"}]',
      headers: { 'Content-Type': 'application/openstack-images-v2.0-json-patch' },
    });
    expect(v20).toMatchObject({ status: 409, text: expect.stringContaining('Property foo already present.') });
    const plain = await api.call('PATCH', `/v2/images/${id}`, { json: [] });
    expect(plain.status).toBe(415);
    expect(plain.headers.get('accept-patch')).toBe('application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch');
    expect(await api.image(id)).toEqual(before);
  });

  it('malformed import requests', async () => {
    const { id } = await staged();
    const imp = (body: string) => api.call('POST', `/v2/images/${id}/import`, { body, headers: { 'Content-Type': 'application/json' } });
    expect(await imp('{bad')).toMatchObject({ status: 400, text: expect.stringContaining('Malformed JSON in request body.') });
    expect(await imp('')).toMatchObject({ status: 400, text: expect.stringContaining('Body expected in request.') });
    expect((await imp('[]')).status).toBe(400); // Glance 25.1.0: 500
    expect((await imp('{"method":"glance-direct"}')).status).toBe(400); // Glance 25.1.0: 500
    expect(await imp('{}')).toMatchObject({ status: 400, text: expect.stringContaining("Import request requires a 'method' field.") });
    expect(await imp('{"method":{}}')).toMatchObject({ status: 400, text: expect.stringContaining("Import request requires a 'name' field.") });
    expect(await imp('{"method":{"name":3}}')).toMatchObject({ status: 400, text: expect.stringContaining("Unknown import method name '3'.") });
    expect(await imp('{"method":{"name":"glance-direct"},"all_stores":"yes"}')).toMatchObject({
      status: 400,
      text: expect.stringContaining("'all_stores' must be boolean value only"),
    });
    expect(await imp('{"method":{"name":"glance-direct"},"all_stores_must_succeed":1}')).toMatchObject({
      status: 400,
      text: expect.stringContaining("'all_stores_must_succeed' must be boolean value only"),
    });
    expect(await api.image(id)).toMatchObject({ status: 'uploading' });
    expect(await api.tasks(id)).toEqual([]);
    // Unknown keys are ignored, as Glance does.
    expect((await imp('{"method":{"name":"glance-direct","x":1},"zzz":1}')).status).toBe(202);
    expect((await api.settled(id)).image.status).toBe('active');
  });

  it('a body where Glance expects none answers 400 "A body is not expected with this request."', async () => {
    const id = await api.create();
    for (const [method, route] of [
      ['GET', `/v2/images/${id}`],
      ['DELETE', `/v2/images/${id}`],
      ['GET', `/v2/images/${id}/file`],
      ['PUT', `/v2/images/${id}/tags/t`],
      ['GET', '/v2/schemas/image'],
      ['GET', '/v2/info/import'],
    ] as const) {
      const r = await api.raw(method, route, '{}');
      expect(r.status, `${method} ${route}`).toBe(400);
      expect(r.text).toContain('A body is not expected with this request.');
    }
    expect(await api.image(id)).toMatchObject({ status: 'queued', tags: [] });
  });

  it('ids that are not UUIDs answer 404 on every image route', async () => {
    const octet = { 'Content-Type': 'application/octet-stream' };
    for (const [method, route, o] of [
      ['GET', '/v2/images/not-a-uuid', {}],
      ['PATCH', '/v2/images/not-a-uuid', { body: '[]', headers: { 'Content-Type': 'application/openstack-images-v2.1-json-patch' } }],
      ['DELETE', '/v2/images/not-a-uuid', {}],
      ['PUT', '/v2/images/not-a-uuid/stage', { body: 'x', headers: octet }],
      ['PUT', '/v2/images/not-a-uuid/file', { body: 'x', headers: octet }],
      ['GET', '/v2/images/not-a-uuid/file', {}],
      ['POST', '/v2/images/not-a-uuid/import', { json: { method: { name: 'glance-direct' } } }],
      ['GET', '/v2/images/not-a-uuid/tasks', {}],
      ['PUT', '/v2/images/not-a-uuid/tags/t', {}],
      ['DELETE', '/v2/images/not-a-uuid/tags/t', {}],
    ] as const) {
      const r = await api.call(method, route, o);
      expect(r.status, `${method} ${route}`).toBe(404);
    }
  });
});
