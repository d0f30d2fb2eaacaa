import { randomBytes, createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.js';
import { serve, tempDir, type RunningServer } from './support/glance-server.js';
import { run } from './support/run.js';

// The recipes of docs/operations.md for the real command-line clients, against a real `serve`:
// Debian's `openstack` (python3-openstackclient 6.0, openstacksdk underneath) with an admin token and
// the unversioned endpoint, and Debian's `glance` (python3-glanceclient 4.1) with the workaround for
// its cached-schema --stores clash. Each runs with a HOME of its own (glance caches schemas there).
// Each command starts a Python interpreter that imports the whole client: seconds apiece.

const work = tempDir('openstack-clients');
const home = path.join(work.dir, 'home');
const disk = path.join(work.dir, 'disk.raw');
const data = randomBytes(64 * 1024);
let server: RunningServer;
let api: ApiClient;

beforeAll(async () => {
  mkdirSync(home);
  writeFileSync(disk, data);
  server = await serve(path.join(work.dir, 'data'));
  api = new ApiClient(server.url, server.adminToken!);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  work.remove();
});

const client = (cmd: string, args: string[]) => run(cmd, args, { cwd: work.dir, env: { HOME: home }, allowFailure: true, timeoutMs: 120_000 });
const openstack = (endpoint: string, ...args: string[]) =>
  client('openstack', ['--os-auth-type', 'admin_token', '--os-endpoint', endpoint, '--os-token', server.adminToken!, ...args]);
const glance = (...args: string[]) => client('glance', ['--os-image-url', server.url, '--os-auth-token', server.adminToken!, ...args]);
const md5 = createHash('md5').update(data).digest('hex');

describe('openstack image ... with --os-auth-type admin_token --os-endpoint http://host:port', () => {
  it('image create --file uploads, image list and show find it, image delete removes it; with or without /v2 on the endpoint', async () => {
    for (const endpoint of [server.url, `${server.url}/v2`]) {
      const name = `osc-${endpoint.endsWith('/v2') ? 'v2' : 'plain'}`;
      const created = await openstack(endpoint, 'image', 'create', '--file', disk, '--disk-format', 'raw', '--container-format', 'bare', name, '-f', 'json');
      expect(created.code, created.stderr).toBe(0);
      const id = (JSON.parse(created.stdout) as { id: string }).id;
      const listed = await openstack(endpoint, 'image', 'list', '-f', 'json');
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout)).toContainEqual({ ID: id, Name: name, Status: 'active' });
      const shown = await openstack(endpoint, 'image', 'show', name, '-c', 'status', '-c', 'size', '-c', 'checksum', '-f', 'json');
      expect(JSON.parse(shown.stdout)).toEqual({ status: 'active', size: data.length, checksum: md5 });
      expect((await openstack(endpoint, 'image', 'delete', name)).code).toBe(0);
      expect((await api.call('GET', `/v2/images/${id}`)).status).toBe(404);
    }
  }, 300_000);

  it('image create --import stages the file and imports it (glance-direct)', async () => {
    const r = await openstack(
      server.url,
      'image',
      'create',
      '--file',
      disk,
      '--disk-format',
      'raw',
      '--container-format',
      'bare',
      '--import',
      'osc-import',
      '-f',
      'json',
    );
    expect(r.code, r.stderr).toBe(0);
    const id = (JSON.parse(r.stdout) as { id: string }).id;
    const { image, task } = await api.settled(id);
    expect(task).toMatchObject({ status: 'success', input: expect.anything() });
    expect(image).toMatchObject({ status: 'active', size: data.length, checksum: md5 });
  }, 120_000);
});

describe("Debian's glance command", () => {
  it('refuses image-create once it cached the image schema (argument --stores clash); dropping stores from the cache lets it work', async () => {
    const listed = await glance('image-list');
    expect(listed.code, listed.stderr).toBe(0);
    const clash = await glance('image-create', '--name', 'g', '--disk-format', 'raw', '--container-format', 'bare', '--file', disk);
    expect(clash.code).not.toBe(0);
    expect(clash.stderr).toContain('argument --stores: conflicting option string: --stores');

    // The workaround of docs/operations.md, word for word.
    const fix = await client('python3', [
      '-c',
      "import json, os; p = os.path.expanduser('~/.glanceclient/image_schema.json'); s = json.load(open(p)); s['properties'].pop('stores', None); json.dump(s, open(p, 'w'))",
    ]);
    expect(fix.code, fix.stderr).toBe(0);
    expect(
      Object.keys((JSON.parse(readFileSync(path.join(home, '.glanceclient', 'image_schema.json'), 'utf8')) as { properties: object }).properties),
    ).not.toContain('stores');

    const created = await glance('image-create', '--name', 'g', '--disk-format', 'raw', '--container-format', 'bare', '--file', disk);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/\| status +\| active +\|/);
    expect(created.stdout).toMatch(new RegExp(`\\| checksum +\\| ${md5} +\\|`));
  }, 120_000);
});
