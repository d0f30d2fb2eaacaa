import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.js';
import { dataFile, downloaded, md5, settled, until } from './support/client-import.js';
import { GlanceClientDriver } from './support/glanceclient.js';
import { cli, serve, tempDir, type RunningServer } from './support/glance-server.js';
import { Keystone, USERS, type User } from './support/keystone.js';
import { run } from './support/run.js';

// glance-import behind the reference Keystone, as a cloud runs Glance: `[paste_deploy] flavor =
// keystone` and the [keystone_authtoken] of the reference's README, the image endpoints of a region
// of this suite's own in the catalog, and the real clients finding them there: the openstack CLI
// (python3-openstackclient 6.0) and python-glanceclient on a keystoneauth1 Password session.

const exec = promisify(execFile);
const work = tempDir('keystone');
const CACHE_S = 15;
let ks: Keystone;
let server: RunningServer;
let region: { region: string; remove: () => Promise<void> };
let ids: Record<string, string>;
let conf: string;
let qcow2: string;
const tokens = {} as Record<User, string>;

beforeAll(async () => {
  ks = await Keystone.shared();
  ids = ks.ids();
  conf = path.join(work.dir, 'glance-api.conf');
  // A short token_cache_time, so that a revoked token is seen refused within the suite.
  writeFileSync(
    conf,
    `${ks.authtoken(`token_cache_time = ${CACHE_S}\nmemcached_servers = 127.0.0.1:11211\n`)}\n[DEFAULT]\nenabled_import_methods = glance-direct, web-download, copy-image, glance-download\n`,
  );
  server = await serve(path.join(work.dir, 'data'), ['--config-file', conf]);
  region = await ks.addRegion(server.url);
  for (const u of Object.keys(USERS) as User[]) tokens[u] = (await ks.issue(u)).token;
  const raw = path.join(work.dir, 'disk.raw');
  writeFileSync(raw, Buffer.concat([randomBytes(1 << 20), Buffer.alloc(3 << 20)]));
  qcow2 = path.join(work.dir, 'disk.qcow2');
  await exec('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
}, 120_000);

afterAll(async () => {
  await region?.remove();
  await server?.stop();
  work.remove();
});

/** The openstack CLI as `user`, with that user's openrc and this suite's region. */
async function openstack(user: User, ...args: string[]) {
  return run('/usr/bin/openstack', args, { cwd: work.dir, env: ks.openrc(user, region.region), allowFailure: true, timeoutMs: 120_000 });
}
async function openstackJson(user: User, ...args: string[]) {
  const r = await openstack(user, ...args, '-f', 'json');
  if (r.code !== 0) throw new Error(`openstack ${args.join(' ')} as ${user} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
const api = (user: User | null, token?: string) => new ApiClient(server.url, token ?? (user ? tokens[user] : ''));

describe('the openstack CLI through the catalog', () => {
  it('a member creates with --import, lists, shows, saves, updates and deletes an image', async () => {
    const created = await openstackJson(
      'demo',
      'image',
      'create',
      '--disk-format',
      'qcow2',
      '--container-format',
      'bare',
      '--file',
      qcow2,
      '--import',
      'ks-demo',
    );
    const id = created.id as string;
    expect(created).toMatchObject({ name: 'ks-demo', owner: ids.DEMO_PROJECT_ID, disk_format: 'qcow2' });
    const image = await until(
      'the import to end',
      async () => (await api('demo').call('GET', `/v2/images/${id}`)).json,
      (i) => i.status === 'active',
      60_000,
    );
    expect(image).toMatchObject({ checksum: md5(readFileSync(qcow2)), size: readFileSync(qcow2).length, owner: ids.DEMO_PROJECT_ID });
    const tasks = (await api('demo').call('GET', `/v2/images/${id}/tasks`)).json.tasks;
    expect(tasks).toEqual([expect.objectContaining({ status: 'success', owner: ids.DEMO_PROJECT_ID, user_id: ids.DEMO_USER_ID })]);

    expect(await openstackJson('demo', 'image', 'list')).toContainEqual({ ID: id, Name: 'ks-demo', Status: 'active' });
    expect(await openstackJson('demo', 'image', 'show', 'ks-demo')).toMatchObject({
      id,
      status: 'active',
      owner: ids.DEMO_PROJECT_ID,
      container_format: 'bare',
    });
    const saved = path.join(work.dir, 'saved.qcow2');
    expect((await openstack('demo', 'image', 'save', '--file', saved, 'ks-demo')).code).toBe(0);
    expect(readFileSync(saved).equals(readFileSync(qcow2))).toBe(true);
    expect((await openstack('demo', 'image', 'set', '--property', 'os_distro=debian', '--tag', 'e2e', 'ks-demo')).code).toBe(0);
    expect(await openstackJson('demo', 'image', 'show', id)).toMatchObject({ tags: ['e2e'], properties: expect.objectContaining({ os_distro: 'debian' }) });

    expect((await openstack('demo', 'image', 'delete', 'ks-demo')).code).toBe(0);
    expect((await api('demo').call('GET', `/v2/images/${id}`)).status).toBe(404);
  }, 180_000);

  it("the member cannot see another project's private image; its owner and the admin can; a reader cannot create", async () => {
    const id = (await openstackJson('alt_demo', 'image', 'create', '--private', '--disk-format', 'raw', '--container-format', 'bare', 'alt-private'))
      .id as string;
    expect((await openstackJson('demo', 'image', 'list')).map((i: { ID: string }) => i.ID)).not.toContain(id);
    const shown = await openstack('demo', 'image', 'show', id);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toContain(`No Image found for ${id}`);
    expect((await api('demo').call('GET', `/v2/images/${id}`)).status).toBe(404);
    expect((await openstackJson('alt_demo', 'image', 'list')).map((i: { ID: string }) => i.ID)).toContain(id);
    expect(await openstackJson('admin', 'image', 'show', id)).toMatchObject({ id, owner: ids.ALT_DEMO_PROJECT_ID, visibility: 'private' });
    const reader = await openstack('demo_reader', 'image', 'create', '--disk-format', 'raw', '--container-format', 'bare', 'by-reader');
    expect(reader.code).toBe(1);
    expect(reader.stderr).toMatch(/403|Forbidden/);
  }, 120_000);
});

describe('Glance policies on Keystone identities', () => {
  it('the tasks API is closed to the member and open to the admin (tasks_api_access)', async () => {
    expect((await api('demo').call('GET', '/v2/tasks')).status).toBe(403);
    const listed = await api('admin').call('GET', '/v2/tasks');
    expect(listed.status).toBe(200);
    expect(listed.json.tasks.length).toBeGreaterThan(0);
  });

  it('identity headers a client sends count for nothing: the token alone says who calls', async () => {
    const spoof = { 'X-Identity-Status': 'Confirmed', 'X-Roles': 'admin', 'X-Project-Id': ids.ADMIN_PROJECT_ID!, 'X-User-Id': ids.ADMIN_USER_ID! };
    expect((await api('demo').call('GET', '/v2/tasks', { headers: spoof })).status).toBe(403);
    const anonymous = await api(null).call('GET', '/v2/images', { token: null, headers: spoof });
    expect(anonymous.status).toBe(401);
  });
});

describe('python-glanceclient on a keystoneauth1 session', () => {
  it('imports with glance-direct, the endpoint found in the catalog', async () => {
    const driver = GlanceClientDriver.start();
    try {
      const glance = driver.as('', {
        keystone: {
          auth_url: `${ks.url}/v3`,
          username: 'demo',
          password: 'demo',
          project_name: 'demo',
          user_domain_name: 'Default',
          project_domain_name: 'Default',
          region_name: region.region,
          interface: 'public',
        },
      });
      const data = readFileSync(qcow2);
      const id = (await glance.ok('images.create', [], { name: 'via-session', disk_format: 'qcow2', container_format: 'bare' })).id as string;
      await glance.ok('images.stage', [id], { data_file: dataFile(work.dir, 'stage.qcow2', data) });
      await glance.ok('images.image_import', [id], { method: 'glance-direct' });
      const { image, task } = await settled(glance, id, 1, 60_000);
      expect(task).toMatchObject({ status: 'success', user_id: ids.DEMO_USER_ID });
      expect(image).toMatchObject({ status: 'active', owner: ids.DEMO_PROJECT_ID, checksum: md5(data) });
      expect(await glance.ok('images.data', [id])).toEqual(downloaded(data));
    } finally {
      await driver.close();
    }
  }, 120_000);
});

describe('tokens Keystone does not vouch for', () => {
  const challenge = () => `Keystone uri="${ks.url}"`;

  it('none, or one Keystone does not know: 401 with the Keystone challenge', async () => {
    for (const token of [null, 'gAAAAABnot-a-token']) {
      const r = await api(null).call('GET', '/v2/images', { token, headers: { Accept: 'application/json' } });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe(challenge());
      expect(r.headers.get('x-glance-import-error-code')).toBe('GI_KEYSTONE_TOKEN_INVALID');
    }
  });

  it(`a revoked token keeps working while its cache entry lives (token_cache_time = ${CACHE_S}), then gets 401`, async () => {
    const token = (await ks.issue('demo')).token;
    expect((await api(null, token).call('GET', '/v2/images')).status).toBe(200);
    await ks.revoke(token);
    expect((await api(null, token).call('GET', '/v2/images')).status).toBe(200);
    const refused = await until(
      'the revoked token to be refused',
      () => api(null, token).call('GET', '/v2/images'),
      (r) => r.status !== 200,
      90_000,
    );
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(challenge());
  }, 120_000);
});

describe('glance-download from another region', () => {
  it("pulls with the user's own token, the region's endpoint found in the user's catalog", async () => {
    const remote = await serve(path.join(work.dir, 'remote'), ['--config-file', conf]);
    const two = await ks.addRegion(remote.url, 'gi-e2e-two');
    const local = await serve(path.join(work.dir, 'local'), [
      '--config-file',
      conf,
      '--config-file',
      fileWith('download.conf', `[import_filtering_opts]\nallow_local_addresses = true\nallowed_ports = 80, 443, ${new URL(remote.url).port}\n`),
    ]);
    try {
      const demoToken = (await ks.issue('demo')).token;
      const there = new ApiClient(remote.url, demoToken);
      const source = await there.create({ name: 'in-region-two', visibility: 'private', os_distro: 'debian' });
      const data = readFileSync(qcow2);
      expect((await there.call('PUT', `/v2/images/${source}/file`, { body: data, headers: { 'Content-Type': 'application/octet-stream' } })).status).toBe(204);
      const here = new ApiClient(local.url, demoToken);
      const id = await here.create({ name: 'pulled', disk_format: 'qcow2', container_format: 'bare' });
      const started = await here.call('POST', `/v2/images/${id}/import`, {
        json: { method: { name: 'glance-download', glance_region: two.region, glance_image_id: source } },
      });
      expect(started.status).toBe(202);
      const image = await until(
        'the pull to end',
        async () => (await here.call('GET', `/v2/images/${id}`)).json,
        (i) => i.status !== 'queued' && i.status !== 'importing',
        60_000,
      );
      // The source is private to demo's project in RegionTwo: only demo's own token could read it.
      expect(image).toMatchObject({ status: 'active', owner: ids.DEMO_PROJECT_ID, checksum: md5(data), os_distro: 'debian' });
      const unknown = await here.call('POST', `/v2/images/${await here.create()}/import`, {
        json: { method: { name: 'glance-download', glance_region: 'RegionMars', glance_image_id: source } },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.text).toContain("Unknown region 'RegionMars' for glance-download; this site knows the image endpoints of your Keystone catalog.");
    } finally {
      await two.remove();
      await Promise.all([local.stop(), remote.stop()]);
    }
  }, 180_000);
});

describe('glance-import config check behind Keystone', () => {
  it('authenticates as the service user; a refused password or an unreachable Keystone fails the check', async () => {
    const ok = await cli(['config', 'check', '--config-file', conf]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`identity: Keystone at ${ks.url}, service user glance@Default/service\n  authenticated as glance in project service`);
    expect(ok.stdout).toContain('notice: [keystone_authtoken] memcached_servers is a keystonemiddleware option glance-import does not use');
    const refused = await cli(['config', 'check', '--config-file', fileWith('bad.conf', ks.authtoken().replace('password = glance', 'password = wrong'))]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error GI_KEYSTONE_CREDENTIALS_REFUSED');
    const down = await cli([
      'config',
      'check',
      '--config-file',
      fileWith('down.conf', `${ks.authtoken('http_request_max_retries = 0\n').replaceAll(ks.url, 'http://127.0.0.1:9')}`),
    ]);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('error GI_KEYSTONE_UNREACHABLE: The Keystone service is temporarily unavailable: http://127.0.0.1:9 did not answer');
  }, 60_000);
});

function fileWith(name: string, text: string): string {
  const f = path.join(work.dir, name);
  writeFileSync(f, text);
  return f;
}
