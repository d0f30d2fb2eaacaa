import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const octet = { 'content-type': 'application/octet-stream' };

describe('GET /metrics', () => {
  it('admin by default: 401 without a token, 403 for a member, 200 for an admin, also as Authorization: Bearer', async () => {
    h = await harness();
    expect((await h.req('GET', '/metrics', { token: null })).status).toBe(401);
    const member = await h.req('GET', '/metrics');
    expect(member.status).toBe(403);
    expect(member.headers['x-glance-import-error-code']).toBe('GI_API_FORBIDDEN');
    expect((await h.req('GET', '/metrics', { token: h.tokens.admin })).status).toBe(200);
    const bearer = await h.req('GET', '/metrics', { token: null, headers: { authorization: `Bearer ${h.tokens.admin}` } });
    expect(bearer.status).toBe(200);
    expect(bearer.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect((await h.req('GET', '/metrics', { token: null, headers: { authorization: 'Bearer gi_forged' } })).status).toBe(401);
  });

  it('metrics_access = token: any valid token; = open: anyone, no token needed', async () => {
    h = await harness({ ini: { glance_import: { metrics_access: 'token' } } });
    expect((await h.req('GET', '/metrics', { token: null })).status).toBe(401);
    expect((await h.req('GET', '/metrics', { token: h.tokens.reader })).status).toBe(200);
    await h.close();
    h = await harness({ ini: { glance_import: { metrics_access: 'open' } } });
    expect((await h.req('GET', '/metrics', { token: null })).status).toBe(200);
    await expect(harness({ ini: { glance_import: { metrics_access: 'everyone' } } })).rejects.toMatchObject({ code: 'GI_CONFIG_INVALID_VALUE' });
  });

  it('counts an import by method and outcome, its duration, its bytes, and the requests', async () => {
    h = await harness({ ini: { glance_import: { metrics_access: 'open' } } });
    const { id } = (await h.req('POST', '/v2/images', { body: { name: 'm', disk_format: 'raw', container_format: 'bare' } })).json as { id: string };
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: Buffer.alloc(1000, 1), headers: octet });
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    await h.server.runtime.imports.drain();
    const text = (await h.req('GET', '/metrics', { token: null })).text;
    expect(text).toContain('glance_import_imports_total{method="glance-direct",outcome="success"} 1\n');
    expect(text).toContain('glance_import_import_duration_seconds_count{method="glance-direct",outcome="success"} 1\n');
    expect(text).toMatch(/glance_import_import_duration_seconds_bucket\{le="\+Inf",method="glance-direct",outcome="success"\} 1\n/);
    expect(text).toContain('glance_import_phase_duration_seconds_count{phase="ImportToStore"} 1\n');
    expect(text).toContain('glance_import_bytes_staged_total 1000\n');
    expect(text).toContain('glance_import_bytes_stored_total{store="local"} 1000\n');
    expect(text).toContain('\nglance_import_imports_running 0\n');
    expect(text).toContain('\nglance_import_imports_queued 0\n');
    expect(text).toContain('glance_import_http_requests_total{method="PUT",status="204"} 1\n');
  });
});
