import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

// GET /v2/images as the reference Glance 25.1.0 answered the same requests (asked while writing these).

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const create = async (body: Record<string, unknown>) =>
  (await h.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare', ...body } })).json as { id: string; created_at: string };
const list = async (query: string) => {
  const r = await h.req('GET', `/v2/images?${query}`);
  return { ...r, names: (r.json?.images ?? []).map((i: { name: string }) => i.name) as string[] };
};

describe('GET /v2/images filters', () => {
  it('in: and eq: on name, id, status and the formats; a double-quoted value may hold commas; an unknown operator is refused', async () => {
    h = await harness();
    const ids: Record<string, string> = {};
    for (const name of ['a', 'b', 'c', 'x,y', 'ubuntu:22.04']) ids[name] = (await create({ name, disk_format: name === 'b' ? 'qcow2' : 'raw' })).id;
    expect((await list('sort=name:asc&name=in:a,b')).names).toEqual(['a', 'b']);
    expect((await list('sort=name:asc&name=in:a,%22x,y%22')).names).toEqual(['a', 'x,y']);
    expect((await list('name=eq:a')).names).toEqual(['a']);
    expect((await list('name=eq:ubuntu:22.04')).names).toEqual(['ubuntu:22.04']);
    expect((await list(`sort=name:asc&id=in:${ids.a},${ids.c}`)).names).toEqual(['a', 'c']);
    expect((await list(`id=eq:${ids.b}`)).names).toEqual(['b']);
    expect((await list('sort=name:asc&status=in:queued,active&disk_format=eq:qcow2')).names).toEqual(['b']);
    expect((await list('container_format=in:ovf,ova')).names).toEqual([]);
    const unknown = await list('name=foo:a');
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain("Unable to filter by unknown operator 'foo'.");
    expect((await list('name=in:a,%22b')).text).toContain('The quote is not closed.');
  });

  it('filters image columns as columns (checksum, os_hash_value, size, min_disk, min_ram, owner), not as properties', async () => {
    h = await harness();
    const { id } = await create({ name: 'data', min_disk: 2, min_ram: 3 });
    await create({ name: 'empty' });
    const put = await h.req('PUT', `/v2/images/${id}/file`, { payload: Buffer.from('12345'), headers: { 'content-type': 'application/octet-stream' } });
    expect(put.status).toBe(204);
    const image = (await h.req('GET', `/v2/images/${id}`)).json;
    for (const query of [
      `checksum=${image.checksum}`,
      `os_hash_value=${image.os_hash_value}`,
      'size=5',
      'min_disk=2',
      'min_ram=3',
      'size_min=5',
      'min_ram_min=3',
      'owner=p1&size_max=5',
      'os_hash_algo=sha512',
    ]) {
      expect((await list(query)).names, query).toEqual(['data']);
    }
    expect((await list('min_ram=abc')).names).toEqual([]); // Glance: 200 and nothing matches
    const negative = await list('size_max=-1');
    expect(negative).toMatchObject({ status: 200, names: [] });
    expect((await list('size_min=abc')).text).toContain('Unable to filter on a range with a non-numeric value.');
  });

  it('created_at and updated_at with gt/gte/lt/lte/eq/neq and ISO 8601 times; a bad time names ISO 8601', async () => {
    h = await harness();
    const old = await create({ name: 'old' });
    await new Promise((r) => setTimeout(r, 20));
    const young = await create({ name: 'young' });
    const at = (await h.server.runtime.db.images.get(young.id))!.created_at;
    expect((await list(`sort=name:asc&created_at=gte:${at}`)).names).toEqual(['young']);
    expect((await list(`sort=name:asc&created_at=lt:${at}`)).names).toEqual(['old']);
    expect((await list(`sort=name:asc&created_at=eq:${at}`)).names).toEqual(['young']);
    expect((await list(`sort=name:asc&created_at=${at}`)).names).toEqual(['young']); // a bare time is eq
    expect((await list(`sort=name:asc&created_at=neq:${at}`)).names).toEqual(['old']);
    expect((await list('sort=name:asc&updated_at=gt:2000-01-01T00:00:00Z&updated_at=lte:2999-01-01')).names).toEqual(['old', 'young']);
    expect((await list('created_at=gt:2999-01-01T00:00:00%2B02:00')).names).toEqual([]);
    const bad = await list('created_at=gt:yesterday');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Bad &quot;created_at&quot; query filter format. Use ISO 8601 DateTime notation.');
    expect((await list('updated_at=in:2024-01-01')).text).toContain('Unable to filter on a unknown operator.');
    void old;
  });

  it("refuses member_status=bogus and limit=-1, and an unknown marker, in Glance's words", async () => {
    h = await harness();
    expect(await list('member_status=bogus')).toMatchObject({ status: 400, text: expect.stringContaining('Invalid status: bogus') });
    expect(await list('limit=-1')).toMatchObject({ status: 400, text: expect.stringContaining('limit param must be positive') });
    const marker = '00000000-0000-0000-0000-000000000000';
    expect(await list(`marker=${marker}`)).toMatchObject({ status: 400, text: expect.stringContaining(`No image found with ID ${marker}`) });
    expect(await list('sort_key=min_ram')).toMatchObject({
      status: 400,
      text: expect.stringContaining(
        'Invalid sort key: min_ram. It must be one of the following: name, status, container_format, disk_format, size, id, created_at, updated_at.',
      ),
    });
    const theirs = (await h.req('POST', '/v2/images', { token: h.tokens.other, body: { visibility: 'private' } })).json;
    expect(await list(`marker=${theirs.id}`)).toMatchObject({
      status: 403,
      text: expect.stringContaining(`Forbidding request, image ${theirs.id} not visible`),
    });
  });
});

describe('GET /v2/images paging', () => {
  it("pages from the marker's place in the order when the marker is outside the filtered set", async () => {
    h = await harness();
    for (const name of ['a', 'b', 'c', 'd']) await create({ name, tags: name === 'c' ? [] : ['t'] });
    const c = (await list('name=c')).json.images[0].id;
    expect(await list(`sort=name:asc&tag=t&marker=${c}`)).toMatchObject({ status: 200, names: ['d'] });
    expect((await list(`sort=name:desc&name=in:a,b&marker=${c}`)).names).toEqual(['b', 'a']);
  });

  it('first repeats the query without the marker; next carries it, repeated keys kept', async () => {
    h = await harness();
    for (const name of ['a', 'b', 'c']) await create({ name, tags: ['t', 'u'] });
    const page1 = await list('limit=2&tag=t&tag=u&sort_key=name&sort_dir=asc');
    expect(page1.json.first).toBe('/v2/images?limit=2&tag=t&tag=u&sort_key=name&sort_dir=asc');
    expect(page1.json.next).toMatch(/^\/v2\/images\?limit=2&tag=t&tag=u&sort_key=name&sort_dir=asc&marker=[0-9a-f-]{36}$/);
    const page2 = await h.req('GET', page1.json.next);
    expect(page2.json.images.map((i: { name: string }) => i.name)).toEqual(['c']);
    expect(page2.json.first).toBe('/v2/images?limit=2&tag=t&tag=u&sort_key=name&sort_dir=asc');
    expect(page2.json.next).toBeUndefined();
    expect((await list('')).json.first).toBe('/v2/images');
    expect((await list('name=in:a,b')).json.first).toBe('/v2/images?name=in%3Aa%2Cb');
  });

  it('emits next when the database filled the page, though the policy hid some of it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gi-policy-'));
    const policy = path.join(dir, 'policy.yaml');
    writeFileSync(policy, `"get_image": "not 'hidden':%(name)s"\n`);
    try {
      h = await harness({ ini: { glance_import: { policy_file: policy } } });
      for (const name of ['a', 'hidden', 'z']) await create({ name });
      const seen: string[] = [];
      let next: string | undefined = '/v2/images?limit=2&sort=name:asc';
      let pages = 0;
      while (next) {
        const page: { images: Array<{ name: string }>; next?: string } = (await h.req('GET', next)).json;
        seen.push(...page.images.map((i) => i.name));
        next = page.next;
        pages++;
      }
      expect(seen).toEqual(['a', 'z']);
      // [a] with next (the database gave a and hidden; judged by the page the policy left, paging ended here), [z] with next, then [].
      expect(pages).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
