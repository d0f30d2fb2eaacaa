import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

const octet = { 'content-type': 'application/octet-stream' };
const data = Buffer.alloc(1024 * 1024 + 3, 9);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

let remote: Harness;
let local: Harness;
afterEach(async () => {
  await local?.close();
  await remote?.close();
});

async function finished(h: Harness, id: string) {
  for (let i = 0; i < 500; i++) {
    const t = (await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks[0] as { status: string; message: string } | undefined;
    if (t && ['success', 'failure'].includes(t.status)) return t;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('import did not finish');
}

/** Two of our servers: `remote` (RegionTwo) holds an active image; `local` pulls it. */
async function twoRegions(more: Record<string, string> = {}) {
  remote = await harness();
  const url = await remote.server.listen('127.0.0.1', 0);
  const port = new URL(url).port;
  local = await harness({
    ini: {
      DEFAULT: { enabled_import_methods: 'glance-direct, web-download, copy-image, glance-download' },
      import_filtering_opts: { allow_local_addresses: 'true', allowed_ports: `80, 443, ${port}` },
      glance_import: { glance_download_endpoints: `RegionTwo:${url}`, glance_download_tokens: `RegionTwo:${remote.tokens.member}`, ...more },
    },
  });
  const img = (
    await remote.req('POST', '/v2/images', {
      body: { name: 'src', disk_format: 'raw', container_format: 'bare', hw_disk_bus: 'scsi', os_distro: 'debian', other: 'x' },
    })
  ).json;
  await remote.req('PUT', `/v2/images/${img.id}/file`, { payload: data, headers: octet });
  return img.id as string;
}

describe('glance-download', () => {
  it('pulls data and metadata from another region: hashes equal to the source, Glance’s property prefixes copied', async () => {
    const remoteId = await twoRegions();
    const { id } = (await local.req('POST', '/v2/images', { body: { name: 'copy', disk_format: 'qcow2', container_format: 'bare' } })).json;
    const r = await local.req('POST', `/v2/images/${id}/import`, {
      body: { method: { name: 'glance-download', glance_region: 'RegionTwo', glance_image_id: remoteId } },
    });
    expect(r.status).toBe(202);
    expect((await finished(local, id)).status).toBe('success');
    const img = (await local.req('GET', `/v2/images/${id}`)).json;
    expect(img).toMatchObject({ status: 'active', size: data.length, checksum: md5(data), disk_format: 'raw', hw_disk_bus: 'scsi', os_distro: 'debian' });
    expect(img.other).toBeUndefined();
    const task = (await local.req('GET', `/v2/images/${id}/tasks`)).json.tasks[0];
    expect(task.input.import_req.method.glance_service_interface).toBe('public');
  });

  it('refuses a missing region, a non-UUID id and an unknown region with 400; a remote image that is not active fails the task and the image returns to queued', async () => {
    await twoRegions();
    const { id } = (await local.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
    const imp = (method: Record<string, unknown>) => local.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-download', ...method } } });
    expect((await imp({ glance_image_id: '00000000-0000-0000-0000-000000000000' })).text).toContain(
      "'glance_region' needs to be set for glance-download import method",
    );
    expect((await imp({ glance_region: 'RegionTwo', glance_image_id: 'nope' })).text).toContain('Remote image id does not look like a UUID: nope');
    expect((await imp({ glance_region: 'Mars', glance_image_id: '00000000-0000-0000-0000-000000000000' })).status).toBe(400);
    const queued = (await remote.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
    expect((await imp({ glance_region: 'RegionTwo', glance_image_id: queued.id })).status).toBe(202);
    const t = await finished(local, id);
    expect(t).toMatchObject({ status: 'failure' });
    expect(t.message).toContain('Source image status should be active instead of queued');
    expect((await local.req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'queued', checksum: null, size: null });
  });

  it("a region endpoint the URI filter refuses fails the task with Glance's message and the reason; the image returns to queued", async () => {
    const remoteId = await twoRegions({ glance_download_endpoints: 'RegionTwo:http://127.0.0.1:1' });
    const { id } = (await local.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
    expect(
      (
        await local.req('POST', `/v2/images/${id}/import`, {
          body: { method: { name: 'glance-download', glance_region: 'RegionTwo', glance_image_id: remoteId } },
        })
      ).status,
    ).toBe(202);
    const t = await finished(local, id);
    expect(t).toMatchObject({
      status: 'failure',
      message: `Processed URI for glance-download does not pass filtering: http://127.0.0.1:1/v2/images/${remoteId} (port 1 is not in allowed_ports)`,
    });
    expect((await local.req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'queued', checksum: null });
  });
});
