import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.js';
import { until } from './support/client-import.js';
import { serve, tempDir, type RunningServer } from './support/glance-server.js';
import { Keystone } from './support/keystone.js';

// A Keystone of this suite's own (its own KS_HOME and port, so the shared one stays up), with tokens
// that live 60 s: stopped while glance-import runs, then started again; a token that expires; a
// service token with a role of service_token_roles. The server answers with keystonemiddleware's own
// 401 (delay_auth_decision = false).

const work = tempDir('keystone-outage');
let ks: Keystone;
let server: RunningServer;
let expiring: { token: string; expiresAt: number };

beforeAll(async () => {
  ks = await Keystone.start(path.join(work.dir, 'keystone'), { KS_TOKEN_EXPIRATION: '60' });
  const conf = path.join(work.dir, 'glance-api.conf');
  writeFileSync(conf, ks.authtoken('delay_auth_decision = false\nservice_token_roles = admin\n'));
  server = await serve(path.join(work.dir, 'data'), ['--config-file', conf]);
  const t = await ks.issue('demo');
  expiring = { token: t.token, expiresAt: Date.parse(t.body.token.expires_at) };
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await ks?.stop();
  work.remove();
}, 60_000);

const as = (token: string) => new ApiClient(server.url, token);

describe('Keystone stopped mid-run', () => {
  it('tokens it never saw get 503 (never 500, never let through), cached ones keep working, and all is well once it is back', async () => {
    const [cached, fresh] = [(await ks.issue('demo')).token, (await ks.issue('demo')).token];
    expect((await as(cached).call('GET', '/v2/images')).status).toBe(200);
    expect((await as(expiring.token).call('GET', '/v2/images')).status).toBe(200);
    await ks.stop();
    expect(await ks.healthy()).toBe(false);

    expect((await as(cached).call('GET', '/v2/images')).status).toBe(200);
    const down = await as(fresh).call('GET', '/v2/images', { headers: { Accept: 'application/json' } });
    expect(down.status).toBe(503);
    expect(down.headers.get('x-glance-import-error-code')).toBe('GI_KEYSTONE_UNREACHABLE');
    expect(down.json.message).toMatch(
      new RegExp(`^The Keystone service is temporarily unavailable: ${ks.url}/v3/auth/tokens did not answer \\(connect ECONNREFUSED`),
    );
    const create = await as(fresh).call('POST', '/v2/images', { json: { name: 'while-down', disk_format: 'raw', container_format: 'bare' } });
    expect(create.status).toBe(503);
    expect(server.output().stdout).toContain('"error_code":"GI_KEYSTONE_UNREACHABLE"');

    await ks.restart();
    // A token of the restarted Keystone: `fresh` may have run out its 60 s while Keystone was away.
    const back = await as((await ks.issue('demo')).token).call('GET', '/v2/images');
    expect(back.status).toBe(200);
    expect(back.json.images.map((i: { name: string }) => i.name)).not.toContain('while-down');
  }, 180_000);
});

describe('a token that expires', () => {
  it("is refused once Keystone's expiry passes, though token_cache_time (300 s) is longer, with keystonemiddleware's 401", async () => {
    await until(
      'the token to expire',
      () => Date.now(),
      (now) => now > expiring.expiresAt + 1000,
      120_000,
    );
    const r = await as(expiring.token).call('GET', '/v2/images');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe(`Keystone uri="${ks.url}"`);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.json).toEqual({ error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
  }, 150_000);

  it('passes with a service token that has a role of service_token_roles (X-Service-Token), as another service acting for the user', async () => {
    const service = (await ks.issue('glance')).token;
    const r = await as(expiring.token).call('GET', '/v2/images', { headers: { 'X-Service-Token': service } });
    expect(r.status).toBe(200);
    const user = (await ks.issue('demo')).token;
    expect((await as(user).call('GET', '/v2/images')).status).toBe(200);
    const bad = await as(user).call('GET', '/v2/images', { headers: { 'X-Service-Token': 'not-a-token' } });
    expect(bad.status).toBe(401);
  }, 60_000);
});
