import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.js';
import { serve, tempDir, type RunningServer } from './support/glance-server.js';

// Requests where a client notices how Glance answers, sent over HTTP to `glance-import serve`. Each
// row is what the reference Glance 25.1.0 answered to the same request (status and words), asked
// while writing this suite with trusted-header identities in the same roles.

const work = tempDir('glance-answers');
let server: RunningServer;
let alice: ApiClient; // member of p1
let admin: ApiClient;

beforeAll(async () => {
  server = await serve(path.join(work.dir, 'data'));
  admin = new ApiClient(server.url, server.adminToken!);
  alice = admin.as(await server.token('alice', 'p1', ['member', 'reader']));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  work.remove();
});

const UNKNOWN = '00000000-0000-0000-0000-000000000000';
const LONG_ID = 'a'.repeat(150);

describe("Glance's answers over HTTP", () => {
  it("refusals: each request gets Glance's status and words", async () => {
    const privateImage = await alice.create({ visibility: 'private' });
    const tagged = await alice.create({ tags: Array.from({ length: 128 }, (_, i) => `t${i}`) });
    const json = { 'Content-Type': 'application/json' };
    const rows: Array<[string, string, { json?: unknown; body?: string; headers?: Record<string, string> }, number, string]> = [
      ['GET', '/v2/images?name=like:a', {}, 400, "Unable to filter by unknown operator 'like'."],
      ['GET', '/v2/images?created_at=gt:yesterday', {}, 400, 'Bad &quot;created_at&quot; query filter format. Use ISO 8601 DateTime notation.'],
      ['GET', '/v2/images?created_at=in:2024-01-01', {}, 400, 'Unable to filter on a unknown operator.'],
      ['GET', '/v2/images?size_min=big', {}, 400, 'Unable to filter on a range with a non-numeric value.'],
      ['GET', '/v2/images?member_status=bogus', {}, 400, 'Invalid status: bogus'],
      ['GET', '/v2/images?limit=-1', {}, 400, 'limit param must be positive'],
      ['GET', `/v2/images?marker=${UNKNOWN}`, {}, 400, `No image found with ID ${UNKNOWN}`],
      [
        'GET',
        '/v2/images?sort_key=owner',
        {},
        400,
        'Invalid sort key: owner. It must be one of the following: name, status, container_format, disk_format, size, id, created_at, updated_at.',
      ],
      ['GET', '/v2/images?sort=name&sort_dir=asc', {}, 400, 'Old and new sorting syntax cannot be combined'],
      ['POST', '/v2/images', { json: { min_disk: -3 } }, 400, "Invalid value '-3' for parameter 'min_disk': Cannot be a negative value"],
      ['POST', '/v2/images', { json: { min_ram: -3 } }, 400, "Invalid value '-3' for parameter 'min_ram': Cannot be a negative value"],
      ['POST', '/v2/images', { json: { locations: [] } }, 403, "Attribute 'locations' is reserved."],
      [
        'POST',
        '/v2/images',
        { json: { tags: Array.from({ length: 129 }, (_, i) => `t${i}`) } },
        413,
        'The limit has been exceeded on the number of allowed image tags. Attempted: 129, Maximum: 128',
      ],
      [
        'PUT',
        `/v2/images/${tagged}/tags/one-more`,
        {},
        413,
        `Image tag limit exceeded for image ${tagged}: The limit has been exceeded on the number of allowed image tags. Attempted: 129, Maximum: 128:`,
      ],
      ['PUT', `/v2/images/${privateImage}/tags/${'y'.repeat(256)}`, {}, 400, `Provided object does not match schema 'image': '${'y'.repeat(256)}' is too long`],
      ['GET', `/v2/images/${LONG_ID}`, {}, 404, `No image found with ID ${LONG_ID}`],
      ['PUT', `/v2/images/${LONG_ID}/tags/x`, {}, 404, `Image ${LONG_ID} not found.`],
      ['GET', `/v2/images/${privateImage}/members`, {}, 403, `Not allowed to list members for image ${privateImage}: Only shared images have members.`],
      ['POST', `/v2/images/${privateImage}/members`, { json: { member: 'p2' } }, 403, `Not allowed to create members for image ${privateImage}.`],
      ['GET', `/v2/images/${privateImage}/members/${'m'.repeat(150)}`, {}, 404, 'Only shared images have members.'],
      [
        'PUT',
        `/v2/images/${privateImage}/file`,
        { body: '{}', headers: json },
        415,
        'The request media type application/json is not supported by this server.',
      ],
      [
        'PUT',
        `/v2/images/${privateImage}/stage`,
        { body: '{bad json', headers: json },
        415,
        'The request media type application/json is not supported by this server.',
      ],
      [
        'PUT',
        `/v2/images/${privateImage}/file`,
        { body: JSON.stringify({ pad: 'x'.repeat(2 << 20) }), headers: json },
        415,
        'The request media type application/json is not supported by this server.',
      ],
    ];
    for (const [method, route, o, status, words] of rows) {
      const r = await alice.call(method, route, o);
      expect(r.status, `${method} ${route.slice(0, 80)}`).toBe(status);
      expect(r.text, `${method} ${route.slice(0, 80)}`).toContain(words);
    }
    const adminRows: Array<[string, number, string]> = [
      [`/v2/tasks/${LONG_ID}`, 404, `Could not find task ${LONG_ID}`],
      [`/v2/tasks?marker=${UNKNOWN}`, 400, `Task with the given id ${UNKNOWN} was not found`],
      ['/v2/tasks?marker=abc', 400, 'Invalid marker format'],
      ['/v2/tasks?limit=-1', 400, 'limit param must be positive'],
      ['/v2/tasks?sort_key=bogus', 400, 'Sort key supplied was not valid.'],
    ];
    for (const [route, status, words] of adminRows) {
      const r = await admin.call('GET', route);
      expect(r.status, route).toBe(status);
      expect(r.text, route).toContain(words);
    }
    expect((await alice.call('GET', `/v2/images/${privateImage}`)).json.status).toBe('queued'); // the refused uploads left it alone
  });

  it('takes tags of 101 to 255 characters, however long their path segment', async () => {
    const id = await alice.create();
    const tags = ['y'.repeat(101), 'y'.repeat(255), 'é'.repeat(255)];
    for (const tag of tags) expect((await alice.call('PUT', `/v2/images/${id}/tags/${encodeURIComponent(tag)}`)).status).toBe(204);
    expect((await alice.call('GET', `/v2/images/${id}`)).json.tags.sort()).toEqual([...tags].sort());
  });

  it('lists with filter operators and pages with first and next links that echo the query', async () => {
    const tag = `answers-${Date.now()}`;
    for (const name of ['a', 'b', 'c', 'x,y']) await alice.create({ name: `${tag}-${name}`, tags: [tag], min_ram: name === 'b' ? 512 : 0 });
    const names = async (query: string) =>
      ((await alice.call('GET', `/v2/images?tag=${tag}&${query}`)).json.images as Array<{ name: string }>).map((i) => i.name.slice(tag.length + 1));
    expect(await names(`sort=name:asc&name=${encodeURIComponent(`in:${tag}-a,"${tag}-x,y"`)}`)).toEqual(['a', 'x,y']);
    expect(await names('min_ram=512')).toEqual(['b']);
    expect(await names('size_max=-1')).toEqual([]);
    expect(await names('sort=name:asc&created_at=gte:2000-01-01T00:00:00Z&updated_at=lt:2999-12-31')).toEqual(['a', 'b', 'c', 'x,y']);
    const first = (await alice.call('GET', `/v2/images?tag=${tag}&limit=3&sort_key=name&sort_dir=asc`)).json;
    expect(first.first).toBe(`/v2/images?tag=${tag}&limit=3&sort_key=name&sort_dir=asc`);
    const second = (await alice.call('GET', first.next)).json;
    expect(second.first).toBe(first.first);
    expect(second.images.map((i: { name: string }) => i.name)).toEqual([`${tag}-x,y`]);
  });
});
