import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { coreVersion } from '@glance-import/core';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { bufferIo, hostApp, iniFile, pluginSource } from '../host.fixture.js';

const alpha = { package: 'p-alpha', entryPoint: 'alpha', source: pluginSource('alpha', 'AlphaTask') };
const future = { package: 'p-future', entryPoint: 'future', source: 'throw new Error("never imported")', coreRange: '^99.0.0', version: '2.0.0' };

const list = async (root: string, ...more: string[]) => {
  const io = bufferIo();
  const code = await main(['plugins', 'list', '--root', root, ...more], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

describe('glance-import plugins list', () => {
  it('prints a table of every declared entry point, with compatibility, without importing any plugin', async () => {
    const r = await list(hostApp([alpha, future]));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        'NAMESPACE                    NAME    PACKAGE   VERSION  COMPATIBLE  ERROR',
        'glance.image_import.plugins  alpha   p-alpha   1.0.0    yes',
        'glance.image_import.plugins  future  p-future  2.0.0    no          GI_REGISTRY_INCOMPATIBLE: ' +
          `Entry point 'future' (p-future@2.0.0) requires @glance-import/core ^99.0.0, but ${coreVersion()} is running.`,
        '',
      ].join('\n'),
    );
  });

  it('--json gives the same rows as data', async () => {
    const root = hostApp([alpha, future]);
    const r = await list(root, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { root: string; entryPoints: Array<Record<string, unknown>>; metadataErrors: string[] };
    expect(json.root).toBe(root);
    expect(json.metadataErrors).toEqual([]);
    expect(json.entryPoints).toEqual([
      { namespace: 'glance.image_import.plugins', name: 'alpha', package: 'p-alpha', version: '1.0.0', compatible: true, error: '' },
      {
        namespace: 'glance.image_import.plugins',
        name: 'future',
        package: 'p-future',
        version: '2.0.0',
        compatible: false,
        error: expect.stringMatching(/^GI_REGISTRY_INCOMPATIBLE: /),
      },
    ]);
  });

  it('--namespace filters; a host with nothing declared says so', async () => {
    const root = hostApp([alpha]);
    expect((await list(root, '--namespace', 'other.namespace')).stdout).toBe(`No entry points found for the host at ${root}.\n`);
    expect((await list(root, '--namespace', 'glance.image_import.plugins')).stdout).toContain('alpha');
  });

  it('finds packages in [glance_import] plugin_dirs of a --config-file', async () => {
    const root = hostApp([]);
    const dir = path.join(root, 'local', 'p-local');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: 'p-local',
        version: '0.0.1',
        entryPoints: { 'glance.image_import.plugins': { local: './index.js' } },
        peerDependencies: { '@glance-import/core': '*' },
      }),
    );
    const r = await list(root, '--config-file', iniFile(root, '[glance_import]\nplugin_dirs = local\n'));
    expect(r.stdout).toContain('glance.image_import.plugins  local  p-local  0.0.1    yes');
  });

  it('invalid entry-point metadata fails with its code and a hint, after listing what is valid', async () => {
    const root = hostApp([alpha]);
    mkdirSync(path.join(root, 'plugins', 'p-evil'));
    writeFileSync(
      path.join(root, 'plugins', 'p-evil', 'package.json'),
      JSON.stringify({ name: 'p-evil', entryPoints: { 'glance.image_import.plugins': { evil: '../../x.js' } } }),
    );
    const r = await list(root);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('alpha');
    expect(r.stderr).toBe(
      [
        "error GI_REGISTRY_BAD_METADATA: Package 'p-evil' declares invalid entry points: 'glance.image_import.plugins.evil' points at '../../x.js', which is not a relative path inside the package.",
        '  hint: Entry points are `"entryPoints": { "<namespace>": { "<name>": "<module path>[:<export>]" } }` in package.json.',
        '',
      ].join('\n'),
    );
  });

  it('a root with no package.json at or above it is GI_REGISTRY_HOST_NOT_FOUND', async () => {
    const r = await list('/');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error GI_REGISTRY_HOST_NOT_FOUND: No package\.json found at or above '\/'\.\n {2}hint: Run the command inside the host application/,
    );
  });
});
