import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost, glanceImport, npmInstall } from './support/host.js';
import { pack, withWorkspaceDependencies, workspacePackages } from './support/workspace.js';

// A third-party plugin that exists only as a folder of plain JS is packed, installed from its tarball
// into a fresh host app next to the packed workspace packages, and resolved by the installed CLI.

const fixture = (name: string) => path.join(import.meta.dirname, 'fixtures', name);
const work = mkdtempSync(path.join(tmpdir(), 'gi-e2e-tarballs-'));
const host = path.join(work, 'host');
const tarballs: Record<string, string> = {};
let coreVersion = '';

beforeAll(async () => {
  const dest = path.join(work, 'packs');
  const needed = withWorkspaceDependencies(await workspacePackages(), ['@glance-import/cli', '@glance-import/plugin-no-op']);
  coreVersion = needed.find((p) => p.name === '@glance-import/core')!.manifest.version;
  const packed = await Promise.all([
    ...needed.map(async (p) => [p.name, await pack(p.dir, dest)] as const),
    ...['third-party-plugin', 'incompatible-plugin'].map(async (f) => [f, await pack(fixture(f), dest)] as const),
  ]);
  Object.assign(tarballs, Object.fromEntries(packed));
  createHost(host);
  const install = await npmInstall(host, needed.map((p) => tarballs[p.name]!).concat(tarballs['third-party-plugin']!));
  expect(install.stderr).toBe('');
  expect(install.code).toBe(0);
  copyFileSync(fixture('glance-image-import.conf'), path.join(host, 'glance-image-import.conf'));
}, 900_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('a third-party plugin installed from a tarball', () => {
  it('config check resolves no_op then raw_padding, in config order, and shows both in the flow', async () => {
    const r = await glanceImport(host, ['config', 'check', '--config-file', 'glance-image-import.conf']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      `config: ${path.join(host, 'glance-image-import.conf')}`,
      'import plugins, in order:',
      `  1. no_op  @glance-import/plugin-no-op@${coreVersion}  [no_op]`,
      '  2. raw_padding  glance-import-plugin-raw-padding@1.0.0  [raw_padding]',
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
    ].join('\n'));
  });

  it('config check --json shows the plugin options validated against its schema', async () => {
    const r = await glanceImport(host, ['config', 'check', '--config-file', 'glance-image-import.conf', '--json']);
    expect(JSON.parse(r.stdout).plugins).toEqual([
      { name: 'no_op', package: '@glance-import/plugin-no-op', version: coreVersion, group: 'no_op', options: {} },
      { name: 'raw_padding', package: 'glance-import-plugin-raw-padding', version: '1.0.0', group: 'raw_padding', options: { alignment: 4096, size_property: 'raw_padding_original_size' } },
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

  it('a plugin built for another core is refused by npm, and by glance-import when forced in', async () => {
    const refused = await npmInstall(host, [tarballs['incompatible-plugin']!]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('ERESOLVE');

    const forced = await npmInstall(host, [tarballs['incompatible-plugin']!], ['--legacy-peer-deps']);
    expect(forced.code).toBe(0);
    const list = await glanceImport(host, ['plugins', 'list']);
    expect(list.stdout).toMatch(/future_import +glance-import-plugin-from-the-future +3\.0\.0 +no +GI_REGISTRY_INCOMPATIBLE: /);

    writeFileSync(path.join(host, 'future.conf'), "[image_import_opts]\nimage_import_plugins = ['no_op', 'future_import']\n");
    const r = await glanceImport(host, ['config', 'check', '--config-file', 'future.conf']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe([
      `error GI_REGISTRY_INCOMPATIBLE: Entry point 'future_import' (glance-import-plugin-from-the-future@3.0.0) requires @glance-import/core ^99.0.0, but ${coreVersion} is running.`,
      `  hint: Install a version of glance-import-plugin-from-the-future built for @glance-import/core ${coreVersion}, or a @glance-import/core that satisfies ^99.0.0.`,
      '',
    ].join('\n'));
  });
});
