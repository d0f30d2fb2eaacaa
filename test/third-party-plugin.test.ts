import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.js';
import { serve } from './support/glance-server.js';
import { createHost, glanceImport, npmInstall } from './support/host.js';
import { servePrebuild, type PrebuildHost } from './support/prebuild.js';
import { run } from './support/run.js';
import { pack, withWorkspaceDependencies, workspacePackages } from './support/workspace.js';

// The framework is not on a public registry: a host app gets it as `pnpm pack`ed tarballs of the
// workspace packages. Into a fresh host app go the packed CLI, `no_op` and a third-party plugin that
// exists only as a folder of plain JS (fixtures/third-party-plugin), packed too; the installed
// `glance-import` resolves it in config order and runs imports through it with `serve`. A plugin
// scaffolded by `glance-import plugins new` passes its own test with core and testing installed from
// tarballs. better-sqlite3 comes as the workspace's own compiled binary (support/prebuild.ts).

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);
const work = mkdtempSync(path.join(tmpdir(), 'gi-e2e-tarballs-'));
const host = path.join(work, 'host');
const tarballs: Record<string, string> = {};
let coreVersion = '';
let prebuild: PrebuildHost;

beforeAll(async () => {
  prebuild = await servePrebuild();
  const dest = path.join(work, 'packs');
  const all = await workspacePackages();
  const needed = withWorkspaceDependencies(all, ['@glance-import/cli', '@glance-import/plugin-no-op', '@glance-import/testing']);
  coreVersion = needed.find((p) => p.name === '@glance-import/core')!.manifest.version;
  const packed = await Promise.all([
    ...needed.map(async (p) => [p.name, await pack(p.dir, dest)] as const),
    ...['third-party-plugin', 'incompatible-plugin'].map(async (f) => [f, await pack(fixture(f), dest)] as const),
  ]);
  Object.assign(tarballs, Object.fromEntries(packed));
  createHost(host);
  const forHost = needed.filter((p) => p.name !== '@glance-import/testing').map((p) => tarballs[p.name]!);
  const install = await npmInstall(host, [...forHost, tarballs['third-party-plugin']!], [], prebuild.env);
  expect(install.stderr).toBe('');
  expect(install.code).toBe(0);
  copyFileSync(fixture('glance-image-import.conf'), path.join(host, 'glance-image-import.conf'));
}, 900_000);

afterAll(async () => {
  await prebuild?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('a third-party plugin installed from a tarball', () => {
  it('npm installed the SQLite driver from the workspace binary, compiling nothing', () => {
    expect(prebuild.requests.filter((r) => r.endsWith('.tar.gz'))).toEqual([
      expect.stringMatching(/^\/v[\d.]+\/better-sqlite3-v[\d.]+-node-v\d+-linux-x64\.tar\.gz$/),
    ]);
  });

  it('config check resolves no_op then raw_padding, in config order, and shows both in the flow', async () => {
    const r = await glanceImport(host, ['config', 'check', '--config-file', 'glance-image-import.conf']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        `config: ${path.join(host, 'glance-image-import.conf')}`,
        'import plugins, in order:',
        `  1. no_op  @glance-import/plugin-no-op@${coreVersion}  [no_op]`,
        '     Does nothing; logs that it ran.',
        '  2. raw_padding  glance-import-plugin-raw-padding@1.0.0  [raw_padding]',
        '     Pads raw images with zeros to a multiple of [raw_padding] alignment bytes.',
        'flow of a glance-direct import (engine_mode parallel, max_workers 10):',
        '  api_image_import [linear, retry AlwaysRevert]',
        '    ImageLock',
        '    VerifyStaging (provides file_path)',
        '    Inspect-staged (requires file_path; provides inspection)',
        '    no_op [linear]',
        '      Noop',
        '    raw_padding [linear]',
        '      PadRawImage (requires file_path; provides file_path)',
        '    Inspect-raw_padding (requires file_path; provides inspection)',
        '    ImportToStore (requires file_path, inspection; provides stored)',
        '    DeleteFromStaging',
        '    CompleteTask',
        'OK',
        '',
      ].join('\n'),
    );
  });

  it('config check --json shows the plugin options validated against its schema, with the description and help texts', async () => {
    const r = await glanceImport(host, ['config', 'check', '--config-file', 'glance-image-import.conf', '--json']);
    expect(JSON.parse(r.stdout).plugins).toEqual([
      {
        name: 'no_op',
        package: '@glance-import/plugin-no-op',
        version: coreVersion,
        group: 'no_op',
        options: {},
        description: 'Does nothing; logs that it ran.',
        help: {},
      },
      {
        name: 'raw_padding',
        package: 'glance-import-plugin-raw-padding',
        version: '1.0.0',
        group: 'raw_padding',
        options: { alignment: 4096, size_property: 'raw_padding_original_size' },
        description: 'Pads raw images with zeros to a multiple of [raw_padding] alignment bytes.',
        help: { alignment: 'Pad to a multiple of this many bytes.', size_property: 'Extra property that keeps the size before padding.' },
      },
    ]);
  });

  it('plugins list shows both entry points as compatible', async () => {
    const r = await glanceImport(host, ['plugins', 'list']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.split('\n')).toEqual([
      expect.stringMatching(/^NAMESPACE +NAME +PACKAGE +VERSION +COMPATIBLE +ERROR$/),
      expect.stringMatching(new RegExp(`^glance\\.image_import\\.plugins +no_op +@glance-import/plugin-no-op +${coreVersion.replaceAll('.', '\\.')} +yes$`)),
      expect.stringMatching(/^glance\.image_import\.plugins +raw_padding +glance-import-plugin-raw-padding +1\.0\.0 +yes$/),
      '',
    ]);
  });

  it('the installed glance-import serves imports through raw_padding; a failed one leaves the image as it was staged', async () => {
    const dataDir = path.join(work, 'data');
    const server = await serve(dataDir, ['--config-file', 'glance-image-import.conf'], {
      cwd: host,
      bin: path.join(host, 'node_modules', '.bin', 'glance-import'),
    });
    try {
      expect(server.output().stdout).toContain('  plugins: no_op, raw_padding\n');
      const api = new ApiClient(server.url, server.adminToken!);
      const data = Buffer.alloc(1000, 1);
      const padded = await api.create({ name: 'padded' });
      expect((await api.stage(padded, data)).status).toBe(204);
      expect((await api.importDirect(padded)).status).toBe(202);
      const ok = await api.settled(padded);
      expect(ok.task).toMatchObject({ status: 'success' });
      expect(ok.image).toMatchObject({ status: 'active', size: 4096, raw_padding_original_size: '1000' });
      const download = await api.call('GET', `/v2/images/${padded}/file`);
      expect(download.body.equals(Buffer.concat([data, Buffer.alloc(3096)]))).toBe(true);

      // The store cannot be written: the import fails after raw_padding, which reverts.
      const store = path.join(dataDir, 'images');
      rmSync(store, { recursive: true, force: true });
      writeFileSync(store, 'not a directory');
      const failing = await api.create({ name: 'failing' });
      await api.stage(failing, data);
      await api.importDirect(failing);
      const failed = await api.settled(failing);
      expect(failed.task).toMatchObject({ status: 'failure', message: expect.stringContaining("Store 'local' cannot be written") });
      expect(failed.image).toMatchObject({ status: 'uploading', size: 1000 });
      expect(failed.image.raw_padding_original_size).toBeUndefined();
      expect(readFileSync(path.join(dataDir, 'staging', failing)).equals(data)).toBe(true);
      rmSync(store, { force: true });
      mkdirSync(store);
      await api.importDirect(failing);
      expect((await api.settled(failing)).image).toMatchObject({ status: 'active', size: 4096, raw_padding_original_size: '1000' });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  it('`glance-import plugins new` makes a plugin that passes its own test with core and testing from tarballs, and installs into the host', async () => {
    const plugin = path.join(work, 'size-note');
    const made = await glanceImport(host, ['plugins', 'new', 'size_note', '--dir', plugin]);
    expect(made).toMatchObject({ code: 0, stderr: '' });
    const framework = ['@glance-import/errors', '@glance-import/core', '@glance-import/testing'].map((n) => tarballs[n]!);
    const dev = await npmInstall(plugin, framework, ['--save-dev'], prebuild.env);
    expect(dev.code, dev.stderr).toBe(0);
    const test = await run('npm', ['test'], { cwd: plugin, allowFailure: true });
    expect(test.code, test.stdout).toBe(0);
    expect(test.stdout).toMatch(/# pass 3\n# fail 0\n/);

    const packed = await pack(plugin, path.join(work, 'packs'));
    expect((await npmInstall(host, [packed], [], prebuild.env)).code).toBe(0);
    writeFileSync(path.join(host, 'size-note.conf'), "[image_import_opts]\nimage_import_plugins = ['size_note']\n\n[size_note]\nproperty = bytes\n");
    const check = await glanceImport(host, ['config', 'check', '--config-file', 'size-note.conf', '--json']);
    expect(check.code, check.stderr).toBe(0);
    expect(JSON.parse(check.stdout).plugins).toEqual([
      {
        name: 'size_note',
        package: 'glance-import-plugin-size-note',
        version: '0.1.0',
        group: 'size_note',
        options: { property: 'bytes' },
        description: 'Records the size of the imported data in the image property [size_note] property.',
        help: { property: 'Image property that gets the size of the data, in bytes.' },
      },
    ]);
  });

  it('a plugin built for another core is refused by npm, and by glance-import when forced in', async () => {
    const refused = await npmInstall(host, [tarballs['incompatible-plugin']!], [], prebuild.env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('ERESOLVE');

    const forced = await npmInstall(host, [tarballs['incompatible-plugin']!], ['--legacy-peer-deps'], prebuild.env);
    expect(forced.code).toBe(0);
    const list = await glanceImport(host, ['plugins', 'list']);
    expect(list.stdout).toMatch(/future_import +glance-import-plugin-from-the-future +3\.0\.0 +no +GI_REGISTRY_INCOMPATIBLE: /);

    writeFileSync(path.join(host, 'future.conf'), "[image_import_opts]\nimage_import_plugins = ['no_op', 'future_import']\n");
    const r = await glanceImport(host, ['config', 'check', '--config-file', 'future.conf']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      [
        `error GI_REGISTRY_INCOMPATIBLE: Entry point 'future_import' (glance-import-plugin-from-the-future@3.0.0) requires @glance-import/core ^99.0.0, but ${coreVersion} is running.`,
        `  hint: Install a version of glance-import-plugin-from-the-future built for @glance-import/core ${coreVersion}, or a @glance-import/core that satisfies ^99.0.0.`,
        '',
      ].join('\n'),
    );
  });
});
