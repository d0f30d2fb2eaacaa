import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const create = (token: string) => h.req('POST', '/v2/images', { token, body: { name: 'i', disk_format: 'raw', container_format: 'bare' } });

describe('GET /v2/info/usage/projects', () => {
  it("answers an admin every project's usage against its limits, as /v2/info/usage answers each project", async () => {
    h = await harness({ ini: { DEFAULT: { use_keystone_limits: 'true' }, glance_import_limits: { image_count_total: '5' } } });
    await create(h.tokens.member);
    await create(h.tokens.member);
    await create(h.tokens.other);
    const r = await h.req('GET', '/v2/info/usage/projects', { token: h.tokens.admin });
    expect(r.status).toBe(200);
    expect(r.json.quotas).toBe(true);
    expect(r.json.projects.map((p: { project_id: string }) => p.project_id)).toEqual(['p1', 'p2']);
    expect(r.json.projects[0].usage).toEqual((await h.req('GET', '/v2/info/usage', { token: h.tokens.member })).json.usage);
    expect(r.json.projects[0].usage.image_count_total).toEqual({ usage: 2, limit: 5 });
  });

  it('is refused to members (get_projects_usage: admin); says when limits are off', async () => {
    h = await harness();
    expect((await h.req('GET', '/v2/info/usage/projects', { token: h.tokens.member })).status).toBe(403);
    expect((await h.req('GET', '/v2/info/usage/projects', { token: h.tokens.admin })).json).toEqual({ quotas: false, projects: [] });
  });
});
