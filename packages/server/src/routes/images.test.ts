import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

const create = async (body: Record<string, unknown> = {}, token?: string) =>
  (await h.req('POST', '/v2/images', { body: { name: 'img', disk_format: 'raw', container_format: 'bare', ...body }, ...(token ? { token } : {}) })).json;

describe('versions and identity', () => {
  it('lists versions (300 at /, 200 at /versions) without identity', async () => {
    const v = await h.req('GET', '/versions', { token: null });
    expect(v.status).toBe(200);
    expect(v.json.versions[0]).toMatchObject({ id: 'v2.15', status: 'CURRENT' });
    expect(v.json.versions.map((x: { id: string }) => x.id)).toContain('v2.6');
    expect((await h.req('GET', '/', { token: null })).status).toBe(300);
    const unknown = await h.req('GET', '/v3/images');
    expect(unknown.status).toBe(300);
    expect(unknown.json.versions).toEqual(v.json.versions);
    expect((await h.req('GET', '/healthcheck', { token: null })).text).toBe('OK');
  });

  it('serves the API at the unversioned endpoint too (openstacksdk with admin_token calls /images); / stays the versions document', async () => {
    const img = await create({ name: 'plain' });
    const plain = await h.req('GET', '/images');
    expect(plain.status).toBe(200);
    expect(plain.json).toEqual((await h.req('GET', '/v2/images')).json);
    expect((await h.req('GET', `/images/${img.id}`)).json).toMatchObject({ id: img.id, name: 'plain' });
    expect((await h.req('GET', '/schemas/image')).json).toMatchObject({ name: 'image' });
    expect((await h.req('GET', '/info/import')).status).toBe(200);
    expect((await h.req('GET', '/images', { token: null })).status).toBe(401);
    expect((await h.req('GET', '/', { token: null })).status).toBe(300);
    expect((await h.req('GET', '/imagesx')).status).toBe(404);
  });

  it('answers 401 to every other route without a valid token, with the request id header', async () => {
    for (const url of ['/v2/images', '/v2/schemas/image', '/v2/info/import', '/metrics']) {
      const r = await h.req('GET', url, { token: null });
      expect(r.status, url).toBe(401);
      expect(r.headers['x-glance-import-error-code']).toBe('GI_API_UNAUTHENTICATED');
      expect(String(r.headers['x-openstack-request-id'])).toMatch(/^req-/);
    }
    expect((await h.req('GET', '/v2/images', { token: 'gi_forged' })).status).toBe(401);
  });

  it('hides v2.6+ and answers import URIs with 404 when enable_image_import is false', async () => {
    const off = await harness({ ini: { DEFAULT: { enable_image_import: 'false' } } });
    try {
      const v = await off.req('GET', '/versions', { token: null });
      expect(v.json.versions.map((x: { id: string }) => x.id)).toEqual(['v2.5', 'v2.4', 'v2.3', 'v2.2', 'v2.1', 'v2.0']);
      const img = (await off.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
      expect((await off.req('GET', '/v2/info/import')).status).toBe(404);
      expect((await off.req('PUT', `/v2/images/${img.id}/stage`, { payload: 'x', headers: { 'content-type': 'application/octet-stream' } })).status).toBe(404);
      expect((await off.req('POST', `/v2/images/${img.id}/import`, { body: { method: { name: 'glance-direct' } } })).text).toContain(
        'Image import is not supported at this site.',
      );
    } finally {
      await off.close();
    }
  });
});

describe('images', () => {
  it('creates an image as Glance does: 201, Location, import-method and store headers, the view', async () => {
    const r = await h.req('POST', '/v2/images', { body: { name: 'a', disk_format: 'qcow2', container_format: 'bare', foo: 'bar' } });
    expect(r.status).toBe(201);
    expect(String(r.headers.location)).toMatch(new RegExp(`/v2/images/${r.json.id}$`));
    expect(r.headers['openstack-image-import-methods']).toBe('glance-direct,web-download,copy-image');
    expect(r.headers['openstack-image-store-ids']).toBe('local');
    expect(r.json).toMatchObject({
      foo: 'bar',
      name: 'a',
      status: 'queued',
      visibility: 'shared',
      owner: 'p1',
      size: null,
      virtual_size: null,
      checksum: null,
      protected: false,
      os_hidden: false,
      tags: [],
      min_ram: 0,
      schema: '/v2/schemas/image',
    });
    expect(r.json.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('refuses read-only, reserved and malformed attributes with 403/400', async () => {
    const post = (body: unknown, headers?: Record<string, string>) => h.req('POST', '/v2/images', { body, ...(headers ? { headers } : {}) });
    expect((await post({ status: 'active' })).status).toBe(403);
    expect((await post({ os_glance_import_task: 'x' })).text).toContain("Attribute 'os_glance_import_task' is reserved.");
    expect((await post({ checksum: 'x' })).text).toContain("Attribute 'checksum' is read-only.");
    expect((await post({ disk_format: 'floppy' })).status).toBe(400);
    expect((await post({ foo: 3 })).status).toBe(400);
    expect((await post({ id: 'not-a-uuid' })).status).toBe(400);
    expect((await post(['a'])).status).toBe(400);
    expect((await h.req('POST', '/v2/images', { payload: '{bad json', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await post({ owner: 'someone-else' })).status).toBe(403);
    expect((await post({ visibility: 'public' })).status).toBe(403);
  });

  it('reads a POST body as JSON whatever its Content-Type, as Glance does (curl -d); PATCH and data uploads still need theirs', async () => {
    const types: Array<Record<string, string>> = [{ 'content-type': 'application/x-www-form-urlencoded' }, { 'content-type': 'text/plain' }, {}];
    for (const headers of types) {
      const r = await h.req('POST', '/v2/images', { payload: '{"name":"curl-d","disk_format":"raw","container_format":"bare"}', headers });
      expect(r.status, JSON.stringify(headers)).toBe(201);
      expect(r.json).toMatchObject({ name: 'curl-d', status: 'queued' });
    }
    expect((await h.req('POST', '/v2/images', { payload: '{bad', headers: { 'content-type': 'text/plain' } })).text).toContain(
      'Malformed JSON in request body.',
    );
    const { id } = (
      await h.req('POST', '/v2/images', {
        payload: '{"disk_format":"raw","container_format":"bare"}',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      })
    ).json;
    expect((await h.req('PATCH', `/v2/images/${id}`, { payload: '{bad', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'data', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await h.req('PUT', `/v2/images/${id}/file`, { payload: 'data', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).status).toBe(
      415,
    );
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'data', headers: { 'content-type': 'application/octet-stream' } });
    expect(
      (
        await h.req('POST', `/v2/images/${id}/import`, {
          payload: '{"method":{"name":"glance-direct"}}',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).status,
    ).toBe(202);
  });

  it('answers errors as Glance: HTML by default, JSON on request, each with a stable code', async () => {
    const html = await h.req('GET', '/v2/images/00000000-0000-0000-0000-000000000000');
    expect(html.status).toBe(404);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.text).toContain('No image found with ID 00000000-0000-0000-0000-000000000000');
    const json = await h.req('GET', '/v2/images/00000000-0000-0000-0000-000000000000', { headers: { accept: 'application/json' } });
    expect(json.json).toMatchObject({ code: '404 Not Found', title: 'Not Found', error_code: 'GI_API_NOT_FOUND' });
    expect((await h.req('GET', '/v2/images/not-a-uuid')).status).toBe(404);
  });

  it('lists with filters, sort and limit/marker paging through next links', async () => {
    for (const n of ['c', 'a', 'b', 'd']) await create({ name: n, tags: n === 'a' ? ['gold'] : [] });
    const page1 = (await h.req('GET', '/v2/images?limit=2&sort_key=name&sort_dir=asc')).json;
    expect(page1.images.map((i: { name: string }) => i.name)).toEqual(['a', 'b']);
    expect(page1.next).toMatch(/marker=/);
    const page2 = (await h.req('GET', page1.next)).json;
    expect(page2.images.map((i: { name: string }) => i.name)).toEqual(['c', 'd']);
    expect((await h.req('GET', '/v2/images?sort=name:desc')).json.images.map((i: { name: string }) => i.name)).toEqual(['d', 'c', 'b', 'a']);
    expect((await h.req('GET', '/v2/images?tag=gold')).json.images.map((i: { name: string }) => i.name)).toEqual(['a']);
    expect((await h.req('GET', '/v2/images?sort_key=bogus')).status).toBe(400);
    expect((await h.req('GET', '/v2/images?marker=00000000-0000-0000-0000-000000000000')).status).toBe(400);
  });

  it('updates with JSON patch (v2.1 and v2.0), refusing reserved, read-only and missing properties', async () => {
    const img = await create({ os_distro: 'debian' });
    const patch = (ops: unknown, ct = 'application/openstack-images-v2.1-json-patch') =>
      h.req('PATCH', `/v2/images/${img.id}`, { body: ops, headers: { 'content-type': ct } });
    const r = await patch([
      { op: 'replace', path: '/name', value: 'renamed' },
      { op: 'add', path: '/hw_disk_bus', value: 'scsi' },
      { op: 'remove', path: '/os_distro' },
    ]);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ name: 'renamed', hw_disk_bus: 'scsi' });
    expect(r.json.os_distro).toBeUndefined();
    expect((await patch([{ op: 'add', path: '/os_glance_import_task', value: 'x' }])).status).toBe(403);
    expect((await patch([{ op: 'replace', path: '/status', value: 'active' }])).status).toBe(403);
    expect((await patch([{ op: 'replace', path: '/nope', value: 'x' }])).status).toBe(409);
    expect((await patch([{ op: 'remove', path: '/name' }])).status).toBe(403);
    expect((await patch([{ op: 'move', path: '/name' }])).status).toBe(400);
    expect((await patch({ op: 'add' })).status).toBe(400);
    expect((await patch([{ op: 'add', path: 'name', value: 'x' }])).status).toBe(400);
    expect((await patch([{ add: '/hw_disk_bus', value: 'ide' }], 'application/openstack-images-v2.0-json-patch')).status).toBe(409);
    const wrong = await patch([], 'application/json');
    expect(wrong.status).toBe(415);
    expect(wrong.headers['accept-patch']).toContain('application/openstack-images-v2.1-json-patch');
  });

  it('answers as Glance: negative min_disk/min_ram, locations on create, more tags than image_tag_quota', async () => {
    for (const key of ['min_disk', 'min_ram']) {
      const r = await h.req('POST', '/v2/images', { body: { [key]: -3 } });
      expect(r.status).toBe(400);
      expect(r.text).toContain(`Invalid value '-3' for parameter '${key}': Cannot be a negative value`);
    }
    const img = await create();
    const patched = await h.req('PATCH', `/v2/images/${img.id}`, {
      body: [{ op: 'replace', path: '/min_disk', value: -3 }],
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
    });
    expect(patched.text).toContain("Invalid value '-3' for parameter 'min_disk': Cannot be a negative value");
    const locations = await h.req('POST', '/v2/images', { body: { locations: [] } });
    expect(locations.status).toBe(403);
    expect(locations.text).toContain("Attribute 'locations' is reserved.");
    const tags = Array.from({ length: 129 }, (_, i) => `t${i % 128}`);
    const many = await h.req('POST', '/v2/images', { body: { tags } });
    expect(many.status).toBe(413);
    expect(many.text).toContain('The limit has been exceeded on the number of allowed image tags. Attempted: 129, Maximum: 128');
    expect((await h.req('POST', '/v2/images', { body: { tags: tags.slice(1) } })).status).toBe(201);
    const full = await create({ tags: tags.slice(1) });
    const one = await h.req('PUT', `/v2/images/${full.id}/tags/more`);
    expect(one.status).toBe(413);
    expect(one.text).toContain(
      `Image tag limit exceeded for image ${full.id}: The limit has been exceeded on the number of allowed image tags. Attempted: 129, Maximum: 128:`,
    );
  });

  it("takes tags up to 255 characters, refuses 256 as Glance, and answers long unknown ids with 404, not the router's 414", async () => {
    const img = await create();
    for (const n of [101, 255]) expect((await h.req('PUT', `/v2/images/${img.id}/tags/${'y'.repeat(n)}`)).status, String(n)).toBe(204);
    const wide = 'é'.repeat(255); // 2,295 characters percent-encoded
    expect((await h.req('PUT', `/v2/images/${img.id}/tags/${encodeURIComponent(wide)}`)).status).toBe(204);
    expect((await h.req('GET', `/v2/images/${img.id}`)).json.tags).toEqual(['y'.repeat(101), 'y'.repeat(255), wide].sort());
    const long = await h.req('PUT', `/v2/images/${img.id}/tags/${'y'.repeat(256)}`);
    expect(long.status).toBe(400);
    expect(long.text).toContain(`Provided object does not match schema 'image': '${'y'.repeat(256)}' is too long`);
    expect((await h.req('POST', '/v2/images', { body: { tags: ['z'.repeat(256)] } })).text).toContain(`'${'z'.repeat(256)}' is too long`);
    expect((await h.req('DELETE', `/v2/images/${img.id}/tags/${'y'.repeat(255)}`)).status).toBe(204);
    const id = 'a'.repeat(150);
    const image = await h.req('GET', `/v2/images/${id}`);
    expect(image.status).toBe(404);
    expect(image.text).toContain(`No image found with ID ${id}`);
    expect((await h.req('PUT', `/v2/images/${id}/tags/x`)).text).toContain(`Image ${id} not found.`); // the tags controller's words
    expect((await h.req('GET', `/v2/tasks/${id}`, { token: h.tokens.admin })).text).toContain(`Could not find task ${id}`);
    const shared = await create({ visibility: 'shared' });
    expect((await h.req('GET', `/v2/images/${shared.id}/members/${'m'.repeat(150)}`)).status).toBe(404);
  });

  it('answers 415 to a data upload that is not application/octet-stream before reading its body, JSON included', async () => {
    const img = await create();
    for (const route of ['file', 'stage']) {
      for (const payload of ['{}', '{bad', JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) })]) {
        const r = await h.req('PUT', `/v2/images/${img.id}/${route}`, { payload, headers: { 'content-type': 'application/json' } });
        expect(r.status, `${route} ${payload.slice(0, 10)}`).toBe(415);
        expect(r.text).toContain('The request media type application/json is not supported by this server.');
      }
    }
    expect(
      (await h.req('PUT', '/v2/images/00000000-0000-0000-0000-000000000000/file', { payload: '{}', headers: { 'content-type': 'application/json' } })).status,
    ).toBe(415);
    expect((await h.req('GET', `/v2/images/${img.id}`)).json.status).toBe('queued');
  });

  it('adds and removes tags', async () => {
    const img = await create();
    expect((await h.req('PUT', `/v2/images/${img.id}/tags/fast`)).status).toBe(204);
    expect((await h.req('GET', `/v2/images/${img.id}`)).json.tags).toEqual(['fast']);
    expect((await h.req('DELETE', `/v2/images/${img.id}/tags/fast`)).status).toBe(204);
    expect((await h.req('DELETE', `/v2/images/${img.id}/tags/fast`)).status).toBe(404);
  });

  it('enforces visibility and ownership: another project cannot see or change a private or shared image', async () => {
    const img = await create({ visibility: 'private' });
    expect((await h.req('GET', `/v2/images/${img.id}`, { token: h.tokens.other })).status).toBe(404);
    expect((await h.req('DELETE', `/v2/images/${img.id}`, { token: h.tokens.other })).status).toBe(404);
    expect((await h.req('GET', '/v2/images', { token: h.tokens.other })).json.images).toEqual([]);
    expect((await h.req('GET', `/v2/images/${img.id}`, { token: h.tokens.admin })).status).toBe(200);
    const pub = await create({ visibility: 'public' }, h.tokens.admin);
    expect((await h.req('GET', `/v2/images/${pub.id}`, { token: h.tokens.other })).status).toBe(200);
    const p = await h.req('PATCH', `/v2/images/${pub.id}`, {
      token: h.tokens.other,
      body: [{ op: 'replace', path: '/name', value: 'x' }],
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
    });
    expect(p.status).toBe(403);
    expect((await h.req('DELETE', `/v2/images/${pub.id}`, { token: h.tokens.other })).status).toBe(403);
    expect(
      (
        await h.req('PATCH', `/v2/images/${img.id}`, {
          token: h.tokens.reader,
          body: [],
          headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
        })
      ).status,
    ).toBe(403);
  });

  it('deletes (204, then 404), refuses protected images, and rejects bodies on GET/DELETE', async () => {
    const img = await create({ protected: true });
    expect((await h.req('DELETE', `/v2/images/${img.id}`)).status).toBe(403);
    const img2 = await create();
    expect((await h.req('GET', `/v2/images/${img2.id}`, { payload: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await h.req('DELETE', `/v2/images/${img2.id}`)).status).toBe(204);
    expect((await h.req('GET', `/v2/images/${img2.id}`)).status).toBe(404);
  });

  it('405 with Allow for a method a route does not take', async () => {
    const r = await h.req('POST', '/v2/schemas/image', { body: {} });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('GET');
  });

  it('serves the schemas the client reads', async () => {
    const s = (await h.req('GET', '/v2/schemas/image')).json;
    expect(s.name).toBe('image');
    expect(s.properties.disk_format.enum).toContain('qcow2');
    expect(s.additionalProperties).toEqual({ type: 'string' });
    expect((await h.req('GET', '/v2/schemas/images')).json.links).toHaveLength(3);
  });
});
