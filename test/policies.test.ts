import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, tempDir, type RunningServer } from './support/glance-server.js';
import { ApiClient } from './support/api-client.js';

// Who may do what, on a real `glance-import serve` whose data dir holds the seed's policy.yaml: the
// four task rules open and `tasks_api_access` for admins only, so ordinary users import while the
// Tasks API stays closed to them. Identities are tokens from `glance-import token create`.

const SEED_POLICY = 'get_task: ""\nget_tasks: ""\nadd_task: ""\nmodify_task: ""\ntasks_api_access: "role:admin"\n';

const work = tempDir('policies');
let server: RunningServer;
let admin: ApiClient;
let alice: ApiClient; // member of p1
let bob: ApiClient; // member of p2
let rita: ApiClient; // reader of p1

const digest = (algo: string, b: Buffer) => createHash(algo).update(b).digest('hex');
const octet = { 'Content-Type': 'application/octet-stream' };

beforeAll(async () => {
  const dataDir = path.join(work.dir, 'data');
  mkdirSync(dataDir);
  writeFileSync(path.join(dataDir, 'policy.yaml'), SEED_POLICY);
  server = await serve(dataDir);
  admin = new ApiClient(server.url, server.adminToken!);
  const [a, b, r] = await Promise.all([
    server.token('alice', 'p1', ['member', 'reader']),
    server.token('bob', 'p2', ['member', 'reader']),
    server.token('rita', 'p1', ['reader']),
  ]);
  alice = admin.as(a);
  bob = admin.as(b);
  rita = admin.as(r);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  work.remove();
});

async function importedImage(api: ApiClient, data: Buffer, extra: Record<string, unknown> = {}): Promise<string> {
  const id = await api.create(extra);
  expect((await api.stage(id, data)).status).toBe(204);
  expect((await api.importDirect(id)).status).toBe(202);
  expect((await api.settled(id)).image.status).toBe('active');
  return id;
}

describe('the glance-direct round trip', () => {
  it('a file streamed to staging and imported: md5 and sha512 of the file, and the download equal to the upload', async () => {
    const data = randomBytes(8 * 1024 * 1024 + 513);
    const file = path.join(work.dir, 'disk.raw');
    writeFileSync(file, data);
    const id = await alice.create({ name: 'round-trip' });
    const staged = await fetch(`${server.url}/v2/images/${id}/stage`, {
      method: 'PUT',
      headers: { ...octet, 'X-Auth-Token': alice.token },
      body: Readable.toWeb(createReadStream(file)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    expect(staged.status).toBe(204);
    expect(await alice.image(id)).toMatchObject({ status: 'uploading', size: data.length });
    expect((await alice.importDirect(id)).status).toBe(202);
    const { image, task } = await alice.settled(id);
    expect(task).toMatchObject({ status: 'success', message: 'Copied 8 MiB', result: { image_id: id } });
    expect(image).toMatchObject({
      status: 'active',
      size: data.length,
      checksum: digest('md5', data),
      os_hash_algo: 'sha512',
      os_hash_value: digest('sha512', data),
    });
    const download = await alice.call('GET', `/v2/images/${id}/file`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-md5')).toBe(digest('md5', data));
    expect(download.body.length).toBe(data.length);
    expect(download.body.equals(data)).toBe(true);
  });
});

describe('policies', () => {
  it('without a token every API call answers 401; /versions does not need one', async () => {
    const id = await alice.create();
    for (const [method, route] of [
      ['GET', '/v2/images'],
      ['POST', '/v2/images'],
      ['GET', `/v2/images/${id}`],
      ['PUT', `/v2/images/${id}/stage`],
      ['POST', `/v2/images/${id}/import`],
      ['GET', '/v2/tasks'],
      ['GET', '/v2/info/import'],
    ] as const) {
      expect((await alice.call(method, route, { token: null })).status, `${method} ${route}`).toBe(401);
    }
    expect((await alice.call('GET', '/v2/images', { token: 'gi_not-a-token' })).status).toBe(401);
    expect((await alice.call('GET', '/versions', { token: null })).status).toBe(200);
  });

  it('a shared image: the owner and the admin may do everything; another project sees nothing (404); a reader only reads (403)', async () => {
    const data = randomBytes(4096);
    const id = await alice.create();
    expect((await bob.call('GET', `/v2/images/${id}`)).status).toBe(404);
    expect((await bob.stage(id, data)).status).toBe(404);
    expect(
      (await bob.call('PATCH', `/v2/images/${id}`, { body: '[]', headers: { 'Content-Type': 'application/openstack-images-v2.1-json-patch' } })).status,
    ).toBe(404);
    expect((await bob.call('DELETE', `/v2/images/${id}`)).status).toBe(404);
    expect((await bob.call('GET', '/v2/images')).json.images.map((i: { id: string }) => i.id)).not.toContain(id);
    expect((await rita.call('GET', `/v2/images/${id}`)).status).toBe(200);
    const readerStage = await rita.stage(id, data);
    expect(readerStage.status).toBe(403);
    expect(readerStage.text).toContain('You are not authorized to complete modify_image action.');
    expect((await alice.stage(id, data)).status).toBe(204);
    expect((await bob.importDirect(id)).status).toBe(404);
    expect((await rita.importDirect(id)).status).toBe(403);
    expect((await admin.importDirect(id)).status).toBe(202);
    expect((await alice.settled(id)).image.status).toBe('active');
    expect((await bob.call('GET', `/v2/images/${id}/file`)).status).toBe(404);
    expect((await rita.call('GET', `/v2/images/${id}/file`)).status).toBe(403); // download_image needs member
    expect((await alice.call('GET', `/v2/images/${id}/file`)).status).toBe(200);
    expect((await rita.call('DELETE', `/v2/images/${id}`)).status).toBe(403);
    expect((await admin.call('DELETE', `/v2/images/${id}`)).status).toBe(204);
  });

  it('a public image: other projects see and download it, but may not change, stage, import or delete it (403)', async () => {
    const data = randomBytes(2048);
    expect((await alice.call('POST', '/v2/images', { json: { name: 'pub', visibility: 'public' } })).status).toBe(403); // publicize_image is admin's
    const id = await admin.create({ visibility: 'public', owner: 'p1' });
    for (const [call, status] of [
      [() => bob.stage(id, data), 403],
      [() => alice.stage(id, data), 204],
      [() => bob.importDirect(id), 403],
      [
        () =>
          bob.call('PATCH', `/v2/images/${id}`, {
            json: [{ op: 'add', path: '/x', value: 'y' }],
            headers: { 'Content-Type': 'application/openstack-images-v2.1-json-patch' },
          }),
        403,
      ],
      [() => alice.importDirect(id), 202],
    ] as const)
      expect((await call()).status).toBe(status);
    expect((await alice.settled(id)).image.status).toBe('active');
    expect(await bob.image(id)).toMatchObject({ id, visibility: 'public', status: 'active' });
    const download = await bob.call('GET', `/v2/images/${id}/file`);
    expect(download.status).toBe(200);
    expect(download.body.equals(data)).toBe(true);
    expect((await bob.call('DELETE', `/v2/images/${id}`)).status).toBe(403);
    expect((await bob.call('GET', `/v2/images/${id}/tasks`)).json.tasks).toHaveLength(1);
  });

  it("the seed task-policy split: members import and see their image's tasks, while /v2/tasks answers 403 to them", async () => {
    const id = await importedImage(alice, randomBytes(1000));
    const [task] = await alice.tasks(id);
    expect(task).toMatchObject({ status: 'success', user_id: 'alice', owner: 'p1', image_id: id });
    for (const [method, route, o] of [
      ['GET', '/v2/tasks', {}],
      ['GET', `/v2/tasks/${task!.id}`, {}],
      ['POST', '/v2/tasks', { json: { type: 'import', input: {} } }],
    ] as const) {
      const r = await alice.call(method, route, o);
      expect(r.status, `${method} ${route}`).toBe(403);
      expect(r.text).toContain('You are not authorized to complete tasks_api_access action.');
    }
    expect((await admin.call('GET', `/v2/tasks/${task!.id}`)).json).toMatchObject({ id: task!.id, status: 'success', image_id: id, user_id: 'alice' });
    expect((await admin.call('GET', '/v2/tasks?status=success&limit=1000')).json.tasks.map((t: { id: string }) => t.id)).toContain(task!.id);
  });
});

describe('paging', () => {
  it('images and tasks page through limit, marker and next links until the last page', async () => {
    const tag = `page-${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await alice.create({ name: `p${i}`, tags: [tag] }));
    const seen: string[] = [];
    const query = `tag=${tag}&limit=2&sort_key=name&sort_dir=asc`;
    let next: string | undefined = `/v2/images?${query}`;
    let pages = 0;
    while (next) {
      const page: { images: Array<{ id: string }>; next?: string } = (await alice.call('GET', next)).json;
      expect(page).toMatchObject({ first: `/v2/images?${query}`, schema: '/v2/schemas/images' }); // Glance echoes the query but the marker
      seen.push(...page.images.map((i) => i.id));
      next = page.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(ids);
    expect((await alice.call('GET', '/v2/images?marker=00000000-0000-0000-0000-000000000000')).status).toBe(400);
    expect((await alice.call('GET', '/v2/images?limit=-1')).status).toBe(400);

    await importedImage(alice, randomBytes(10));
    const first = (await admin.call('GET', '/v2/tasks?limit=1')).json;
    expect(first.tasks).toHaveLength(1);
    expect(first.next).toMatch(/^\/v2\/tasks\?limit=1&marker=[0-9a-f-]{36}$/);
    const second = (await admin.call('GET', first.next)).json;
    expect(second.tasks[0].id).not.toBe(first.tasks[0].id);
    expect((await admin.call('GET', '/v2/tasks?marker=not-a-uuid')).status).toBe(400);
  });
});
