import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFile, downloaded, filesOf, md5, newImage, settled, sha512 } from './support/client-import.js';
import { GlanceClientDriver, type Session } from './support/glanceclient.js';
import { serve, tempDir, type RunningServer } from './support/glance-server.js';

// glance-download between two `glance-import serve` processes, driven by python-glanceclient:
// `remote` plays RegionTwo and holds the source image; `local` knows RegionTwo's endpoint and a token
// of it ([glance_import] glance_download_endpoints / glance_download_tokens) and has the filtering
// opt-in for the remote's port. RegionShut points at a port the filter refuses.

const work = tempDir('glance-download');
const data = randomBytes(2 * 1024 * 1024 + 77);
let remote: RunningServer;
let local: RunningServer;
let driver: GlanceClientDriver;
let there: Session; // alice of p1 on remote
let here: Session; // alice of p1 on local
let sourceId: string;

beforeAll(async () => {
  remote = await serve(path.join(work.dir, 'remote'));
  const remoteToken = await remote.token('alice', 'p1', ['member', 'reader']);
  const conf = path.join(work.dir, 'local.conf');
  writeFileSync(
    conf,
    [
      '[DEFAULT]',
      'enabled_import_methods = glance-direct, web-download, copy-image, glance-download',
      '',
      '[glance_import]',
      `glance_download_endpoints = RegionTwo:${remote.url}, RegionShut:http://127.0.0.1:1`,
      `glance_download_tokens = RegionTwo:${remoteToken}`,
      '',
      '[import_filtering_opts]',
      'allow_local_addresses = true',
      `allowed_ports = 80, 443, ${new URL(remote.url).port}`,
      '',
    ].join('\n'),
  );
  local = await serve(path.join(work.dir, 'local'), ['--config-file', conf]);
  driver = GlanceClientDriver.start();
  there = driver.as(remote.url, { token: remoteToken });
  here = driver.as(local.url, { token: await local.token('alice', 'p1', ['member', 'reader']) });
  sourceId = await newImage(there, {
    name: 'source',
    disk_format: 'raw',
    container_format: 'bare',
    hw_disk_bus: 'scsi',
    os_distro: 'debian',
    os_type: 'linux',
    owner_note: 'not copied',
  });
  await there.ok('images.upload', [sourceId], { data_file: dataFile(work.dir, 'source.raw', data) });
}, 60_000);

afterAll(async () => {
  await driver?.close();
  await Promise.all([local?.stop(), remote?.stop()]);
  work.remove();
});

const pull = (id: string, remoteId: string, region = 'RegionTwo') =>
  here.answer('images.image_import', [id], { method: 'glance-download', remote_region: region, remote_image_id: remoteId });

/** What a failed glance-download leaves: queued, no data, unlocked, nothing staged or stored. */
async function expectQueuedAgain(id: string, message: RegExp) {
  const { image, task } = await settled(here, id);
  expect(task).toMatchObject({ status: 'failure', message: expect.stringMatching(message) });
  expect(image).toMatchObject({ status: 'queued', size: null, checksum: null, os_hash_value: null, os_glance_importing_to_stores: '' });
  expect(image.stores).toBeUndefined();
  expect(filesOf(path.join(local.dataDir, 'staging'), id)).toEqual([]);
  expect(filesOf(path.join(local.dataDir, 'images'), id)).toEqual([]);
}

describe('glance-download between two servers', () => {
  it('get_import_info of the local server lists glance-download', async () => {
    expect((await here.ok('images.get_import_info'))['import-methods'].value).toEqual(['glance-direct', 'web-download', 'copy-image', 'glance-download']);
  });

  it("pulls data and metadata from RegionTwo: hashes equal to the source's, formats and Glance's property prefixes copied", async () => {
    const source = await there.ok('images.get', [sourceId]);
    expect(source).toMatchObject({ status: 'active', checksum: md5(data), os_hash_value: sha512(data) });
    const id = await newImage(here, { name: 'pulled', disk_format: 'qcow2', container_format: 'ovf' });
    expect(await pull(id, sourceId)).toMatchObject({ ok: null });
    const { image, task } = await settled(here, id);
    expect(task).toMatchObject({
      status: 'success',
      result: { image_id: id },
      input: { import_req: { method: { name: 'glance-download', glance_region: 'RegionTwo', glance_image_id: sourceId, glance_service_interface: 'public' } } },
    });
    expect(image).toMatchObject({
      status: 'active',
      name: 'pulled',
      size: source.size,
      checksum: source.checksum,
      os_hash_algo: 'sha512',
      os_hash_value: source.os_hash_value,
      disk_format: 'raw',
      container_format: 'bare',
      hw_disk_bus: 'scsi',
      os_distro: 'debian',
      os_type: 'linux',
      stores: 'local',
    });
    expect(image.owner_note).toBeUndefined();
    expect(await here.ok('images.data', [id])).toEqual(downloaded(data));
    expect(filesOf(path.join(local.dataDir, 'staging'), id)).toEqual([]);
  });

  it('refuses at the call: no region (400), an id that is not a UUID (400), an unknown region (400), an image not queued (409)', async () => {
    const id = await newImage(here);
    expect(await here.fails('images.image_import', [id], { method: 'glance-download', remote_image_id: sourceId })).toEqual({
      type: 'HTTPBadRequest',
      status: 400,
      message: "400 Bad Request: 'glance_region' needs to be set for glance-download import method",
    });
    expect(await here.fails('images.image_import', [id], { method: 'glance-download', remote_region: 'RegionTwo', remote_image_id: 'nope' })).toEqual({
      type: 'HTTPBadRequest',
      status: 400,
      message: '400 Bad Request: Remote image id does not look like a UUID: nope',
    });
    expect(await here.fails('images.image_import', [id], { method: 'glance-download', remote_region: 'Mars', remote_image_id: sourceId })).toMatchObject({
      status: 400,
      message: expect.stringContaining("Unknown region 'Mars' for glance-download"),
    });
    await here.ok('images.stage', [id], { data_file: dataFile(work.dir, 'staged.raw', data) });
    expect(await here.fails('images.image_import', [id], { method: 'glance-download', remote_region: 'RegionTwo', remote_image_id: sourceId })).toEqual({
      type: 'HTTPConflict',
      status: 409,
      message: "409 Conflict: Image needs to be in 'queued' state to use 'glance-download' method",
    });
    expect((await here.ok('images.get_associated_image_tasks', [id])).tasks).toEqual([]);
  });

  it('a remote image that is not active, or not there, fails the task; the image is queued again and pulls afterwards', async () => {
    const queued = await newImage(there);
    const id = await newImage(here);
    await pull(id, queued);
    await expectQueuedAgain(id, /Source image status should be active instead of queued/);
    const unknown = '11111111-2222-3333-4444-555555555555';
    await pull(id, unknown);
    await expectQueuedAgain(id, new RegExp(`${remote.url}/v2/images/${unknown} failed: the source answered HTTP 404 Not Found`));
    await pull(id, sourceId);
    expect((await settled(here, id, 3)).image).toMatchObject({ status: 'active', checksum: md5(data) });
  });

  it('the remote endpoint passes the URI filter too: a region whose port is refused fails the task', async () => {
    const id = await newImage(here);
    await pull(id, sourceId, 'RegionShut');
    await expectQueuedAgain(
      id,
      /^Processed URI for glance-download does not pass filtering: http:\/\/127\.0\.0\.1:1\/v2\/images\/[0-9a-f-]{36} \(port 1 is not in allowed_ports\)$/,
    );
  });
});
