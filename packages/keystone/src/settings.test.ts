import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@glance-import/core';
import { describe, expect, it } from 'vitest';
import { keystoneGroups } from './options.js';
import { identityConfig } from './settings.js';

const SECTION = `[keystone_authtoken]
www_authenticate_uri = http://127.0.0.1:5000
auth_url = http://127.0.0.1:5000
auth_type = password
username = glance
password = glance
project_name = service
user_domain_name = Default
project_domain_name = Default
`;

async function identity(ini: string, trustedIdentityHeaders = false) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gi-keystone-'));
  const file = path.join(dir, 'glance-api.conf');
  writeFileSync(file, ini);
  return identityConfig(await loadConfig({ configFiles: [file], searchFrom: false, schema: keystoneGroups }), { trustedIdentityHeaders });
}

describe('identityConfig', () => {
  it("reads Glance's [keystone_authtoken] with keystonemiddleware's defaults", async () => {
    const c = await identity(`[paste_deploy]\nflavor = keystone\n${SECTION}`);
    expect(c.mode).toBe('keystone');
    expect(c.notices).toEqual([]);
    expect(c.keystone).toMatchObject({
      authUrl: 'http://127.0.0.1:5000',
      wwwAuthenticateUri: 'http://127.0.0.1:5000',
      interface: 'internal',
      regionName: undefined,
      delayAuthDecision: true,
      tokenCacheTime: 300,
      includeServiceCatalog: true,
      serviceTokenRoles: ['service'],
      serviceTokenRolesRequired: false,
      serviceType: undefined,
      timeoutMs: 30_000,
      maxRetries: 3,
      tls: { rejectUnauthorized: true },
    });
    expect(c.keystone!.credentials).toEqual({
      describe: 'glance@Default/service',
      body: {
        identity: { methods: ['password'], password: { user: { name: 'glance', domain: { name: 'Default' }, password: 'glance' } } },
        scope: { project: { name: 'service', domain: { name: 'Default' } } },
      },
    });
  });

  it('takes IDs, default_domain_*, domain and system scopes as keystoneauth does', async () => {
    const ids = await identity(
      '[paste_deploy]\nflavor = keystone\n[keystone_authtoken]\nauth_type = password\nauth_url = http://ks/v3\nuser_id = u1\npassword = p\nproject_id = p1\n',
    );
    expect(ids.keystone!.credentials.body).toEqual({
      identity: { methods: ['password'], password: { user: { id: 'u1', password: 'p' } } },
      scope: { project: { id: 'p1' } },
    });
    const dflt = await identity(
      '[paste_deploy]\nflavor = keystone\n[keystone_authtoken]\nauth_type = password\nauth_url = http://ks\nusername = g\npassword = p\nproject_name = s\ndefault_domain_id = default\n',
    );
    expect(dflt.keystone!.credentials.body).toMatchObject({
      identity: { password: { user: { domain: { id: 'default' } } } },
      scope: { project: { domain: { id: 'default' } } },
    });
    const sys = await identity(
      '[paste_deploy]\nflavor = keystone\n[keystone_authtoken]\nauth_type = v3password\nauth_url = http://ks\nusername = g\nuser_domain_id = default\npassword = p\nsystem_scope = all\n',
    );
    expect(sys.keystone!.credentials).toMatchObject({ describe: 'g@default/system all', body: { scope: { system: { all: true } } } });
  });

  it('accepts the keystonemiddleware options it does not use, with a notice each', async () => {
    const c = await identity(
      `[paste_deploy]\nflavor = keystone+cachemanagement\n${SECTION}memcached_servers = 127.0.0.1:11211\nmemcache_security_strategy = ENCRYPT\nmemcache_secret_key = s3cret\n`,
    );
    expect(c.mode).toBe('keystone');
    expect(c.notices.map((n) => n.message)).toEqual([
      '[paste_deploy] flavor = keystone+cachemanagement: glance-import has no image cache; the identity part (keystone) applies.',
      expect.stringContaining('[keystone_authtoken] memcached_servers is a keystonemiddleware option glance-import does not use'),
      expect.stringContaining('memcache_security_strategy'),
      expect.stringContaining('memcache_secret_key'),
    ]);
  });

  it('chooses one mode: own tokens by default, trusted-auth, keystone; never two', async () => {
    const none = await identity(SECTION);
    expect([none.mode, none.keystone, none.notices.map((n) => n.message)]).toEqual([
      'tokens',
      undefined,
      ['[keystone_authtoken] is read only with [paste_deploy] flavor = keystone; ignored.'],
    ]);
    expect((await identity('[paste_deploy]\nflavor = trusted-auth\n')).mode).toBe('trusted-auth');
    expect((await identity('', true)).mode).toBe('trusted-auth');
    await expect(identity(`[paste_deploy]\nflavor = keystone\n${SECTION}`, true)).rejects.toMatchObject({ code: 'GI_KEYSTONE_MODE_CONFLICT' });
    await expect(identity('[paste_deploy]\nflavor = noauth\n')).rejects.toMatchObject({ code: 'GI_CONFIG_INVALID_VALUE' });
  });

  it('refuses what it cannot do, naming the option', async () => {
    const ks = (extra: string) => identity(`[paste_deploy]\nflavor = keystone\n[keystone_authtoken]\n${extra}`);
    await expect(ks('auth_url = http://ks\nusername = g\npassword = p\n')).rejects.toMatchObject({
      code: 'GI_KEYSTONE_OPTION_MISSING',
      message: expect.stringContaining('auth_type'),
    });
    await expect(ks('auth_type = token\n')).rejects.toMatchObject({
      code: 'GI_KEYSTONE_OPTION_UNSUPPORTED',
      message: "[keystone_authtoken] auth_type = token is not supported: only the 'password' plugin is.",
    });
    await expect(ks('auth_type = password\nusername = g\npassword = p\n')).rejects.toMatchObject({
      code: 'GI_KEYSTONE_OPTION_MISSING',
      message: expect.stringContaining('auth_url'),
    });
    await expect(ks('auth_type = password\nauth_url = ks:5000\nusername = g\npassword = p\n')).rejects.toMatchObject({
      code: 'GI_KEYSTONE_OPTION_UNSUPPORTED',
      message: expect.stringContaining('http(s) URL'),
    });
    await expect(ks('auth_type = password\nauth_url = http://ks\nusername = g\npassword = p\n')).rejects.toMatchObject({
      code: 'GI_KEYSTONE_OPTION_MISSING',
      message: expect.stringContaining('user_domain_name'),
    });
    await expect(
      ks('auth_type = password\nauth_url = http://ks\nusername = g\nuser_domain_id = default\npassword = p\nproject_name = s\n'),
    ).rejects.toMatchObject({ message: expect.stringContaining('project_domain_name') });
    await expect(ks('auth_type = password\nauth_url = http://ks\nusername = g\nuser_domain_id = default\n')).rejects.toMatchObject({
      message: expect.stringContaining('password'),
    });
    await expect(ks('auth_section = other\n')).rejects.toMatchObject({ code: 'GI_KEYSTONE_OPTION_UNSUPPORTED' });
    await expect(ks('auth_type = password\nauth_url = http://ks\nuser_id = u\npassword = p\ncafile = /nonexistent.pem\n')).rejects.toMatchObject({
      message: expect.stringContaining('cannot be read (ENOENT)'),
    });
    await expect(ks('auth_urll = http://ks\n')).rejects.toMatchObject({
      code: 'GI_CONFIG_UNKNOWN_OPTION',
      message: expect.stringContaining("Did you mean 'auth_url'"),
    });
  });
});
