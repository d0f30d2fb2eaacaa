import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloaded, filesOf, md5, newImage, settled, sha512 } from './support/client-import.js';
import { GlanceClientDriver, type Session } from './support/glanceclient.js';
import { serve, tempDir, type RunningServer } from './support/glance-server.js';
import { reply, webSource, type WebSource } from './support/web-source.js';

// web-download through python-glanceclient into real `glance-import serve` processes, from a source
// server on 127.0.0.1 in this process. `open` has the operator's opt-in for local sources
// (allow_local_addresses, the source's port allowed) and refuses 127.0.0.2; `closed` allows the port
// but not loopback. The 400s at the import call are those the reference Glance 25.1.0 gave for the
// same URIs (it accepts loopback at the call and never fetches it; we refuse it at the call).

const work = tempDir('web-download');
const SIZE_CAP = 4 * 1024 * 1024;
const data = randomBytes(3 * 1024 * 1024 + 4321);
const routes: Parameters<typeof webSource>[0] = {};
let src: WebSource;
let open: RunningServer;
let closed: RunningServer;
let driver: GlanceClientDriver;
let alice: Session; // member of p1 on `open`
let carol: Session; // member of p1 on `closed`

const staging = (s: RunningServer) => path.join(s.dataDir, 'staging');
const store = (s: RunningServer) => path.join(s.dataDir, 'images');

function conf(name: string, text: string): string {
  const f = path.join(work.dir, name);
  writeFileSync(f, text);
  return f;
}

beforeAll(async () => {
  src = await webSource(routes);
  Object.assign(routes, {
    '/image.raw': reply.bytes(data),
    '/chunked.raw': reply.bytes(data, { chunked: true }),
    '/redirect': reply.redirect('/image.raw'),
    '/redirect-refused': reply.redirect(`http://127.0.0.2:${src.port}/image.raw`),
    '/missing.raw': reply.status('404 Not Found'),
    '/stall.raw': reply.stall(100_000, 5000),
    '/short.raw': reply.framed(100_000, 60_000),
    '/long.raw': reply.framed(10, 25),
    '/big.raw': reply.bytes(Buffer.alloc(SIZE_CAP + 1, 7), { chunked: true }),
  });
  const opt = (extra: string) => `[import_filtering_opts]\nallowed_ports = 80, 443, ${src.port}\n${extra}`;
  [open, closed] = await Promise.all([
    serve(path.join(work.dir, 'open'), [
      '--config-file',
      conf('open.conf', `[DEFAULT]\nimage_size_cap = ${SIZE_CAP}\n\n${opt('allow_local_addresses = true\ndisallowed_hosts = 127.0.0.2\nread_timeout = 2\n')}`),
    ]),
    serve(path.join(work.dir, 'closed'), ['--config-file', conf('closed.conf', opt(''))]),
  ]);
  driver = GlanceClientDriver.start();
  const member = async (s: RunningServer) => driver.as(s.url, { token: await s.token('alice', 'p1', ['member', 'reader']) });
  [alice, carol] = await Promise.all([member(open), member(closed)]);
}, 60_000);

afterAll(async () => {
  await driver?.close();
  await Promise.all([open?.stop(), closed?.stop(), src?.close()]);
  work.remove();
});

const webImport = (s: Session, id: string, uri: string) => s.answer('images.image_import', [id], { method: 'web-download', uri });

/** What every failed web-download leaves: queued, no data recorded, unlocked, nothing staged or stored. */
async function expectQueuedAgain(id: string, message: string | RegExp) {
  const { image, task } = await settled(alice, id);
  expect(task).toMatchObject({ status: 'failure', message: typeof message === 'string' ? message : expect.stringMatching(message) });
  expect(image).toMatchObject({
    status: 'queued',
    size: null,
    checksum: null,
    os_hash_value: null,
    os_glance_importing_to_stores: '',
    os_glance_failed_import: 'local',
  });
  expect(image.stores).toBeUndefined();
  expect(filesOf(staging(open), id)).toEqual([]);
  expect(filesOf(store(open), id)).toEqual([]);
}

/** The same image imports from a good source afterwards: the failure left nothing in its way. */
async function expectImportsAgain(id: string) {
  expect(await webImport(alice, id, `${src.url}/image.raw`)).toMatchObject({ ok: null });
  const { image, task } = await settled(alice, id, 2);
  expect(task.status).toBe('success');
  expect(image).toMatchObject({ status: 'active', checksum: md5(data), os_glance_failed_import: '' });
}

describe('web-download through python-glanceclient', () => {
  it.each(['/image.raw', '/chunked.raw', '/redirect'])(
    '%s: queued → active with the size, md5 and sha512 of the source; the client downloads the same bytes',
    async (route) => {
      const id = await newImage(alice);
      const asked = src.requests.length;
      const started = await webImport(alice, id, `${src.url}${route}`);
      expect(started).toMatchObject({ ok: null, request_ids: [expect.stringMatching(/^req-/)] });
      const { image, task } = await settled(alice, id);
      expect(image).toMatchObject({
        status: 'active',
        size: data.length,
        virtual_size: data.length,
        checksum: md5(data),
        os_hash_algo: 'sha512',
        os_hash_value: sha512(data),
        stores: 'local',
        os_glance_importing_to_stores: '',
        os_glance_failed_import: '',
      });
      expect(task).toMatchObject({
        status: 'success',
        type: 'api_image_import',
        user_id: 'alice',
        owner: 'p1',
        request_id: (started as { request_ids: string[] }).request_ids[0],
        result: { image_id: id },
        input: { image_id: id, import_req: { method: { name: 'web-download', uri: `${src.url}${route}` } }, backend: ['local'] },
      });
      expect(src.requests.slice(asked)).toEqual(route === '/redirect' ? ['/redirect', '/image.raw'] : [route]);
      expect(await alice.ok('images.data', [id])).toEqual(downloaded(data));
      expect(filesOf(staging(open), id)).toEqual([]);
      expect(filesOf(store(open), id)).toEqual([id]);
    },
  );

  it('scheme, host and port filtering refuse the URI at the import call with 400; the image stays queued with no task and the source is not asked', async () => {
    const id = await newImage(alice);
    const asked = src.requests.length;
    for (const uri of [
      `ftp://127.0.0.1:${src.port}/image.raw`,
      `file:///etc/passwd`, // scheme not in allowed_schemes
      `http://127.0.0.2:${src.port}/image.raw`, // host in disallowed_hosts
      'http://127.0.0.1:1/image.raw',
      `https://127.0.0.1:${src.port + 1}/image.raw`, // port not in allowed_ports
      `http://2130706433:${src.port}/image.raw`,
      `http://0x7f.1:${src.port}/image.raw`, // 127.0.0.1 in disguise
    ]) {
      expect(await alice.fails('images.image_import', [id], { method: 'web-download', uri }), uri).toEqual({
        type: 'HTTPBadRequest',
        status: 400,
        message: `400 Bad Request: URI for web-download does not pass filtering: ${uri}`,
      });
    }
    expect(await alice.ok('images.get', [id])).toMatchObject({ status: 'queued' });
    expect((await alice.ok('images.get_associated_image_tasks', [id])).tasks).toEqual([]);
    expect(src.requests.length).toBe(asked);
  });

  it('without allow_local_addresses loopback is refused at the import call, by address or by name, although its port is allowed', async () => {
    const id = await newImage(carol);
    const asked = src.requests.length;
    for (const uri of [
      `${src.url}/image.raw`,
      `http://localhost:${src.port}/image.raw`,
      `http://[::1]:${src.port}/image.raw`,
      `http://127.0.0.2:${src.port}/image.raw`,
    ]) {
      expect(await carol.fails('images.image_import', [id], { method: 'web-download', uri }), uri).toMatchObject({
        status: 400,
        message: `400 Bad Request: URI for web-download does not pass filtering: ${uri}`,
      });
    }
    expect(await carol.ok('images.get', [id])).toMatchObject({ status: 'queued' });
    expect((await carol.ok('images.get_associated_image_tasks', [id])).tasks).toEqual([]);
    expect(src.requests.length).toBe(asked);
  });

  it('a redirect to a refused host fails the task (Glance test_web_download_redirect_validation); the image is queued again and imports afterwards', async () => {
    const id = await newImage(alice);
    expect(await webImport(alice, id, `${src.url}/redirect-refused`)).toMatchObject({ ok: null });
    await expectQueuedAgain(id, `Redirect to disallowed URL: http://127.0.0.2:${src.port}/image.raw (host '127.0.0.2' is in disallowed_hosts)`);
    await expectImportsAgain(id);
  });

  it.each([
    ['a 404', '/missing.raw', 'the source answered HTTP 404 Not Found.'],
    ['a source that stalls mid-body (read_timeout = 2)', '/stall.raw', 'the source sent nothing for 2 s.'],
    ['fewer bytes than Content-Length', '/short.raw', 'the connection closed after 60000 of the 100000 bytes announced by Content-Length.'],
    ['more bytes than Content-Length', '/long.raw', 'the source sent more than the 10 bytes announced by Content-Length.'],
  ])('%s fails the task with its reason; the image is queued again, nothing kept, and imports afterwards', async (_what, route, reason) => {
    const id = await newImage(alice);
    expect(await webImport(alice, id, `${src.url}${route}`)).toMatchObject({ ok: null });
    await expectQueuedAgain(id, `Downloading ${src.url}${route} failed: ${reason}`);
    await expectImportsAgain(id);
  });

  it('a source larger than image_size_cap fails the task while streaming; nothing is kept', async () => {
    const id = await newImage(alice);
    expect(await webImport(alice, id, `${src.url}/big.raw`)).toMatchObject({ ok: null });
    await expectQueuedAgain(id, new RegExp(`too large: it passed the limit of ${SIZE_CAP} bytes`));
  });
});
