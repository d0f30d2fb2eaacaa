import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, notRoot, serve, tempDir } from './support/glance-server.js';
import { REPO } from './support/workspace.js';

// The command-line contract scripts rely on: `serve`, `token create` and `db sync`, run as built
// (`node packages/cli/dist/bin.js ...`) from a folder that is no host application.

const work = tempDir('cli-serve');
const cwd = path.join(work.dir, 'elsewhere');
mkdirSync(cwd);
afterAll(() => work.remove());

const versions = async (url: string) => (await fetch(`${url}/versions`)).status;
const images = async (url: string, token: string) => (await fetch(`${url}/v2/images`, { headers: { 'X-Auth-Token': token } })).status;

/** A port something else listens on. */
async function busyPort(): Promise<{ port: number; close: () => void }> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  return { port: (s.address() as net.AddressInfo).port, close: () => s.close() };
}

describe('glance-import serve', () => {
  it('on a fresh data dir prints where the API, data, database, staging, stores and config are, and one admin token', async () => {
    const dataDir = path.join(work.dir, 'fresh');
    const server = await serve(dataDir, [], { cwd });
    try {
      const { stdout, stderr } = server.output();
      const banner = stdout.split('\n').filter((l) => !l.startsWith('{')); // JSON lines are the log
      expect(banner.slice(0, 9)).toEqual([
        expect.stringMatching(/^glance-import \d+\.\d+\.\d+ serving the Image API on http:\/\/127\.0\.0\.1:\d+$/),
        `  data:    ${dataDir} (database sqlite://${dataDir}/glance.sqlite; staging ${dataDir}/staging)`,
        '  stores:  local (default)',
        '  config:  (defaults)',
        '  plugins: (none)',
        `  console: ${server.url}/console/ (sign in with a token)`,
        `  admin token: ${server.adminToken}`,
        `               (printed once; kept in ${dataDir}/admin-token, mode 600)`,
        '',
      ]);
      expect(server.adminToken).toMatch(/^gi_[\w-]{20,}$/);
      expect(stderr).toBe('');
      expect(readFileSync(path.join(dataDir, 'admin-token'), 'utf8')).toBe(`${server.adminToken}\n`);
      expect(statSync(path.join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600);
      expect(await versions(server.url)).toBe(200);
      expect(await images(server.url, server.adminToken!)).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    const again = await serve(dataDir, [], { cwd });
    try {
      expect(again.adminToken).toBeUndefined();
      expect(again.output().stdout).toContain(`  admin token: in ${dataDir}/admin-token\n`);
      expect(again.output().stdout).not.toMatch(/gi_/);
      expect(await images(again.url, readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim())).toBe(200);
    } finally {
      await again.stop();
    }
  });

  it("a port in use: exit 1 with GI_SERVER_PORT_IN_USE, and the data dir's admin token is printed by the next start that listens", async () => {
    const dataDir = path.join(work.dir, 'busy');
    const busy = await busyPort();
    try {
      const r = await cli(['serve', '--data-dir', dataDir, '--port', String(busy.port)], { cwd });
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain('admin token');
      expect(r.stderr).toBe(
        `error GI_SERVER_PORT_IN_USE: Cannot listen on 127.0.0.1:${busy.port}: the address is already in use.\n  hint: Stop the other process or pass another --port.\n`,
      );
    } finally {
      busy.close();
    }
    const server = await serve(dataDir, [], { cwd });
    try {
      expect(server.adminToken).toMatch(/^gi_/);
      expect(await images(server.url, server.adminToken!)).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it.each([
    [
      'an unknown option',
      '[DEFAULT]\nbogus_option = 1\n',
      /^error GI_CONFIG_UNKNOWN_OPTION: .*bad\.conf:2: unknown option 'bogus_option' in \[DEFAULT\]\.\n {2}hint: /,
    ],
    ['a bad value', '[DEFAULT]\nimage_size_cap = -5\n', /^error GI_CONFIG_INVALID_VALUE: .*bad\.conf:2: \[DEFAULT\] image_size_cap: -5 is not from 1 to /],
    ['an unknown group', '[nonsense]\nx = 1\n', /^error GI_CONFIG_UNKNOWN_GROUP: .*bad\.conf: unknown group \[nonsense\]\.\n {2}hint: /],
  ])('refuses a config with %s: exit 1, a GI_* message naming the file, nothing served', async (_what, text, message) => {
    const conf = path.join(work.dir, 'bad.conf');
    writeFileSync(conf, text);
    const r = await cli(['serve', '--data-dir', path.join(work.dir, 'unused'), '--port', '0', '--config-file', conf], { cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).not.toContain('serving');
  });

  it('refuses import plugins it cannot find: outside a host app with the --root hint, in one with the names it has', async () => {
    const conf = path.join(work.dir, 'plugins.conf');
    writeFileSync(conf, "[image_import_opts]\nimage_import_plugins = ['no_such_plugin']\n");
    const args = ['serve', '--data-dir', path.join(work.dir, 'unused'), '--port', '0', '--config-file', conf];
    const outside = await cli(args, { cwd });
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/^error GI_REGISTRY_HOST_NOT_FOUND: No package\.json found at or above '.*elsewhere'\.\n {2}hint: .*or pass --root\.\n$/);
    const inRepo = await cli([...args, '--root', REPO], { cwd });
    expect(inRepo.code).toBe(1);
    expect(inRepo.stderr).toMatch(
      /^error GI_REGISTRY_NOT_FOUND: No entry point 'no_such_plugin' in namespace 'glance\.image_import\.plugins'\.\n {2}hint: Installed names: .*'no_op'/,
    );
  });

  it('refuses a data dir it cannot create or may not write, a missing config file, a malformed policy.yaml and a bad --port', async () => {
    writeFileSync(path.join(work.dir, 'a-file'), '');
    const notDir = await cli(['serve', '--data-dir', path.join(work.dir, 'a-file', 'data'), '--port', '0'], { cwd });
    expect(notDir.code).toBe(1);
    expect(notDir.stderr).toMatch(/^error GI_SERVER_DATA_DIR: Data directory .*a-file\/data cannot be used: ENOTDIR: not a directory/);
    const readOnly = path.join(work.dir, 'read-only');
    mkdirSync(readOnly, { mode: 0o555 });
    chmodSync(work.dir, 0o755);
    const denied = await cli(['serve', '--data-dir', readOnly, '--port', '0'], { cwd, ...notRoot() });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^error GI_SERVER_DATA_DIR: Data directory .*read-only cannot be used: EACCES: permission denied/);

    const missing = await cli(['serve', '--data-dir', path.join(work.dir, 'unused'), '--port', '0', '--config-file', path.join(work.dir, 'nope.conf')], {
      cwd,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error GI_CONFIG_FILE_NOT_FOUND: Config file '.*nope\.conf' does not exist or cannot be read\./);

    const policyDir = path.join(work.dir, 'bad-policy');
    mkdirSync(policyDir);
    writeFileSync(path.join(policyDir, 'policy.yaml'), 'copy_image: "role:admin or"\n');
    const policy = await cli(['serve', '--data-dir', policyDir, '--port', '0'], { cwd });
    expect(policy.code).toBe(1);
    expect(policy.stderr).toMatch(/^error GI_POLICY_SYNTAX: Policy rule 'copy_image' \(.*policy\.yaml\) cannot be parsed/);

    const port = await cli(['serve', '--data-dir', path.join(work.dir, 'unused'), '--port', '99999'], { cwd });
    expect(port).toMatchObject({ code: 2, stderr: "usage error: --port must be a port number (0-65535), got '99999'\n" });
  });
});

describe('glance-import token create and db sync', () => {
  it('token create prints only the token, which then works; without --roles it is a usage error', async () => {
    const dataDir = path.join(work.dir, 'tokens');
    const sync = await cli(['db', 'sync', '--data-dir', dataDir], { cwd });
    expect(sync).toMatchObject({ code: 0, stderr: '' });
    expect(sync.stdout).toMatch(/^applied migrations .+ to sqlite:\/\/.*glance\.sqlite\n$/);
    expect((await cli(['db', 'sync', '--data-dir', dataDir], { cwd })).stdout).toMatch(/ is up to date\n$/);

    const made = await cli(['token', 'create', '--data-dir', dataDir, '--user', 'u1', '--project', 'p1', '--roles', 'member,reader'], { cwd });
    expect(made.code).toBe(0);
    expect(made.stderr).toBe('');
    expect(made.stdout).toMatch(/^gi_[\w-]{20,}\n$/);
    const server = await serve(dataDir, [], { cwd });
    try {
      expect(await images(server.url, made.stdout.trim())).toBe(200);
      const created = await fetch(`${server.url}/v2/images`, {
        method: 'POST',
        headers: { 'X-Auth-Token': made.stdout.trim(), 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(((await created.json()) as { owner: string }).owner).toBe('p1');
    } finally {
      await server.stop();
    }
    const usage = await cli(['token', 'create', '--data-dir', dataDir, '--user', 'u1', '--project', 'p1'], { cwd });
    expect(usage).toMatchObject({ code: 2, stdout: '', stderr: 'usage error: token create needs --roles\n' });
  });
});
