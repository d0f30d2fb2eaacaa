import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.close();
});

describe('image members', () => {
  it('the owner shares an image; the member sees it, accepts it and then finds it in its list', async () => {
    const img = (await h.req('POST', '/v2/images', { body: { name: 'shared', visibility: 'shared' } })).json;
    expect((await h.req('GET', `/v2/images/${img.id}`, { token: h.tokens.other })).status).toBe(404);
    const add = await h.req('POST', `/v2/images/${img.id}/members`, { body: { member: 'p2' } });
    expect(add.status).toBe(200);
    expect(add.json).toMatchObject({ image_id: img.id, member_id: 'p2', status: 'pending', schema: '/v2/schemas/member' });
    expect((await h.req('POST', `/v2/images/${img.id}/members`, { body: { member: 'p2' } })).status).toBe(409);
    expect((await h.req('GET', `/v2/images/${img.id}`, { token: h.tokens.other })).status).toBe(200);
    expect((await h.req('GET', '/v2/images', { token: h.tokens.other })).json.images).toEqual([]);
    const put = (member: string, status: string, token: string) => h.req('PUT', `/v2/images/${img.id}/members/${member}`, { body: { status }, token });
    expect((await put('p2', 'accepted', h.tokens.member)).status).toBe(403);
    expect((await put('p2', 'sure', h.tokens.other)).status).toBe(400);
    expect((await put('p2', 'accepted', h.tokens.other)).json.status).toBe('accepted');
    expect((await h.req('GET', '/v2/images', { token: h.tokens.other })).json.images.map((i: { id: string }) => i.id)).toEqual([img.id]);
    expect((await h.req('GET', `/v2/images/${img.id}/members`)).json.members.map((m: { member_id: string }) => m.member_id)).toEqual(['p2']);
    expect((await h.req('DELETE', `/v2/images/${img.id}/members/p2`, { token: h.tokens.other })).status).toBe(403);
    expect((await h.req('DELETE', `/v2/images/${img.id}/members/p2`)).status).toBe(204);
    expect((await h.req('GET', `/v2/images/${img.id}`, { token: h.tokens.other })).status).toBe(404);
  });

  it("only shared images have members: each call refuses a private one in Glance's words", async () => {
    const img = (await h.req('POST', '/v2/images', { body: { visibility: 'private' } })).json;
    const r = await h.req('POST', `/v2/images/${img.id}/members`, { body: { member: 'p2' } });
    expect(r.status).toBe(403);
    expect(r.text).toContain(`Not allowed to create members for image ${img.id}.`);
    const list = await h.req('GET', `/v2/images/${img.id}/members`);
    expect(list.status).toBe(403);
    expect(list.text).toContain(`Not allowed to list members for image ${img.id}: Only shared images have members.`);
    const one = await h.req('GET', `/v2/images/${img.id}/members/p2`);
    expect(one.status).toBe(404);
    expect(one.text).toContain('Only shared images have members.');
    expect((await h.req('PUT', `/v2/images/${img.id}/members/p1`, { body: { status: 'accepted' } })).text).toContain(
      `Not allowed to update members for image ${img.id}.`,
    );
    expect((await h.req('DELETE', `/v2/images/${img.id}/members/p2`)).text).toContain(`Not allowed to delete members for image ${img.id}.`);
    expect((await h.req('GET', '/v2/schemas/member')).json.name).toBe('member');
  });
});
