import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

// The identity mode the config chooses; Keystone itself is in test/keystone*.test.ts.

const proxy = { 'x-identity-status': 'Confirmed', 'x-user-id': 'carol', 'x-project-id': 'p9', 'x-roles': 'member,reader' };
const image = { name: 'i', disk_format: 'raw', container_format: 'bare' };
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('identity modes', () => {
  it("own tokens by default: a proxy's identity headers are not read", async () => {
    h = await harness();
    expect(h.server.identity.mode).toBe('tokens');
    expect((await h.req('POST', '/v2/images', { token: null, headers: proxy, body: image })).status).toBe(401);
    expect((await h.req('POST', '/v2/images', { body: image })).json.owner).toBe('p1');
  });

  it.each([
    ['[paste_deploy] flavor = trusted-auth', { paste_deploy: { flavor: 'trusted-auth' } }],
    ['[glance_import] trusted_identity_headers', { glance_import: { trusted_identity_headers: true } }],
  ])("%s: the proxy's headers say who calls; tokens still work", async (_name, ini) => {
    h = await harness({ ini });
    expect(h.server.identity.mode).toBe('trusted-auth');
    expect((await h.req('POST', '/v2/images', { token: null, headers: proxy, body: image })).json.owner).toBe('p9');
    expect((await h.req('POST', '/v2/images', { body: image })).json.owner).toBe('p1');
  });

  it('keystone: a Keystone that cannot be reached answers 503 with the reason, never 500, never let through; the server starts regardless', async () => {
    h = await harness({
      ini: {
        paste_deploy: { flavor: 'keystone' },
        keystone_authtoken: {
          auth_url: 'http://127.0.0.1:9',
          auth_type: 'password',
          username: 'glance',
          password: 'glance',
          user_domain_name: 'Default',
          project_name: 'service',
          project_domain_name: 'Default',
          http_request_max_retries: 0,
        },
      },
    });
    expect(h.server.identity).toMatchObject({
      mode: 'keystone',
      describe: 'Keystone at http://127.0.0.1:9 (service user glance@Default/service; tokens cached 300 s)',
    });
    for (const token of [h.tokens.admin, 'anything']) {
      const r = await h.req('POST', '/v2/images', { token, headers: { ...proxy, accept: 'application/json' }, body: image });
      expect(r.status).toBe(503);
      expect(r.headers['x-glance-import-error-code']).toBe('GI_KEYSTONE_UNREACHABLE');
      expect(r.json.message).toBe('The Keystone service is temporarily unavailable: http://127.0.0.1:9 did not answer (connect ECONNREFUSED 127.0.0.1:9).');
    }
    expect((await h.req('GET', '/versions', { token: null })).status).toBe(200);
    // No token needs no Keystone to refuse it.
    expect((await h.req('GET', '/v2/images', { token: null })).status).toBe(401);
  });
});
