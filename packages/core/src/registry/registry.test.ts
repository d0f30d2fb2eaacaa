import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreVersion } from '../version.js';
import { EntryPointRegistry } from './registry.js';

const NS = 'glance.image_import.plugins';

interface Pkg {
  name: string;
  version?: string;
  entryPoints?: unknown;
  peer?: string | null;
  files?: Record<string, string>;
}

/** A host app on disk: package.json naming deps, each installed under node_modules. */
function host(deps: Pkg[], extra: { workspace?: Pkg[]; undeclared?: Pkg[] } = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'gi-host-'));
  const write = (dir: string, p: Pkg) => {
    mkdirSync(dir, { recursive: true });
    const peerDependencies = p.peer === null ? undefined : { '@glance-import/core': p.peer ?? `^${coreVersion()}` };
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: p.name, version: p.version ?? '1.0.0', type: 'module', entryPoints: p.entryPoints, peerDependencies }),
    );
    for (const [f, text] of Object.entries(p.files ?? {})) {
      mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      writeFileSync(path.join(dir, f), text);
    }
  };
  for (const p of [...deps, ...(extra.undeclared ?? [])]) write(path.join(root, 'node_modules', p.name), p);
  for (const p of extra.workspace ?? []) write(path.join(root, 'plugins', p.name), p);
  writeFileSync(
    path.join(root, 'package.json'),
    JSON.stringify({
      name: 'host-app',
      private: true,
      dependencies: Object.fromEntries(deps.map((d) => [d.name, '*'])),
      ...(extra.workspace ? { workspaces: ['plugins/*'] } : {}),
    }),
  );
  return root;
}

const plugin = (name: string, ep: string, body = 'export function getFlow() { return "flow"; }', more: Partial<Pkg> = {}): Pkg => ({
  name,
  entryPoints: { [NS]: { [ep]: './index.js' } },
  files: { 'index.js': body },
  ...more,
});

describe('EntryPointRegistry', () => {
  it('lists entry points of declared dependencies and workspace packages, reading metadata only', () => {
    const root = host([plugin('p-a', 'alpha', 'throw new Error("imported!")')], {
      workspace: [plugin('p-b', 'beta')],
      undeclared: [plugin('p-hidden', 'hidden')],
    });
    const reg = EntryPointRegistry.discover({ root });
    expect(reg.list(NS).map((s) => [s.entryPoint.name, s.entryPoint.packageName, s.compatible])).toEqual([
      ['alpha', 'p-a', true],
      ['beta', 'p-b', true],
    ]);
    expect(reg.names(NS)).not.toContain('hidden');
  });

  it('loads only the names given, lazily, in the order given', async () => {
    const root = host([plugin('p-a', 'alpha'), plugin('p-b', 'beta'), plugin('p-c', 'broken', 'throw new Error("never imported")')]);
    const loaded = await EntryPointRegistry.discover({ root }).loadNamed<() => string>(NS, ['beta', 'alpha']);
    expect(loaded.map((l) => l.name)).toEqual(['beta', 'alpha']);
    expect(loaded[0]!.value()).toBe('flow');
  });

  it('a missing name is GI_REGISTRY_NOT_FOUND with a did-you-mean over what exists', async () => {
    const reg = EntryPointRegistry.discover({ root: host([plugin('p-conv', 'image_conversion')]) });
    await expect(reg.loadNamed(NS, ['image_convertion'])).rejects.toMatchObject({
      code: 'GI_REGISTRY_NOT_FOUND',
      message: expect.stringContaining("Did you mean 'image_conversion'?"),
      hint: expect.stringContaining("'image_conversion'"),
    });
  });

  it('two packages claiming one name is an error', async () => {
    const reg = EntryPointRegistry.discover({ root: host([plugin('p-1', 'same'), plugin('p-2', 'same')]) });
    expect(reg.list(NS)[0]!.problem?.code).toBe('GI_REGISTRY_DUPLICATE_CLAIM');
    await expect(reg.driver(NS, 'same')).rejects.toMatchObject({
      code: 'GI_REGISTRY_DUPLICATE_CLAIM',
      message: expect.stringContaining("'p-1@1.0.0', 'p-2@1.0.0'"),
    });
  });

  it('a module that fails to import keeps its cause', async () => {
    const reg = EntryPointRegistry.discover({ root: host([plugin('p-bad', 'bad', 'throw new Error("syntax of doom")')]) });
    const err = (await reg.driver(NS, 'bad').catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('GI_REGISTRY_IMPORT_FAILED');
    expect((err.cause as Error).message).toBe('syntax of doom');
  });

  it('an export that is missing or not a function is refused', async () => {
    const reg = EntryPointRegistry.discover({
      root: host([
        { name: 'p-x', entryPoints: { [NS]: { missing: './index.js:nope', notfn: './index.js:value' } }, files: { 'index.js': 'export const value = 3;' } },
      ]),
    });
    await expect(reg.driver(NS, 'missing')).rejects.toMatchObject({
      code: 'GI_REGISTRY_EXPORT_INVALID',
      message: expect.stringContaining("'nope', which is missing"),
    });
    await expect(reg.driver(NS, 'notfn')).rejects.toMatchObject({ code: 'GI_REGISTRY_EXPORT_INVALID', message: expect.stringContaining('a number') });
  });

  it('a core range that does not admit the running core is refused; so is a missing range', async () => {
    const reg = EntryPointRegistry.discover({
      root: host([plugin('p-old', 'old', undefined, { peer: '^0.0.1' }), plugin('p-none', 'none', undefined, { peer: null })]),
    });
    const statuses = reg.list(NS);
    expect(statuses.find((s) => s.entryPoint.name === 'old')).toMatchObject({ compatible: false, problem: { code: 'GI_REGISTRY_INCOMPATIBLE' } });
    await expect(reg.driver(NS, 'old')).rejects.toMatchObject({
      code: 'GI_REGISTRY_INCOMPATIBLE',
      message: `Entry point 'old' (p-old@1.0.0) requires @glance-import/core ^0.0.1, but ${coreVersion()} is running.`,
      hint: `Install a version of p-old built for @glance-import/core ${coreVersion()}, or a @glance-import/core that satisfies ^0.0.1.`,
    });
    await expect(reg.driver(NS, 'none')).rejects.toMatchObject({ code: 'GI_REGISTRY_NO_CORE_RANGE' });
  });

  it('a workspace: range is accepted from a workspace package only, never from an installed one', () => {
    const root = host([plugin('p-leaked', 'leaked', undefined, { peer: 'workspace:^' })], {
      workspace: [plugin('p-local', 'local', undefined, { peer: 'workspace:^' })],
    });
    const statuses = EntryPointRegistry.discover({ root }).list(NS);
    expect(statuses.map((s) => [s.entryPoint.name, s.compatible, s.problem?.code])).toEqual([
      ['leaked', false, 'GI_REGISTRY_INCOMPATIBLE'],
      ['local', true, undefined],
    ]);
  });

  it('warn mode skips a broken entry point and reports it; nothing is dropped silently', async () => {
    const reg = EntryPointRegistry.discover({ root: host([plugin('p-a', 'alpha'), plugin('p-bad', 'bad', 'throw new Error("x")')]) });
    const warnings: Array<{ code: string; message: string }> = [];
    const loaded = await reg.loadNamed(NS, ['bad', 'alpha', 'ghost', 'alpha'], { onError: 'warn', onWarning: (w) => warnings.push(w) });
    expect(loaded.map((l) => l.name)).toEqual(['alpha']);
    expect(warnings.map((w) => w.code)).toEqual(['GI_REGISTRY_SKIPPED', 'GI_REGISTRY_SKIPPED', 'GI_REGISTRY_SKIPPED']);
    expect(warnings.map((w) => w.message.split(':')[1]!.trim())).toEqual(['GI_REGISTRY_IMPORT_FAILED', 'GI_REGISTRY_NOT_FOUND', 'GI_REGISTRY_DUPLICATE_NAME']);
  });

  it('fail mode refuses a name listed twice', async () => {
    const reg = EntryPointRegistry.discover({ root: host([plugin('p-a', 'alpha')]) });
    await expect(reg.loadNamed(NS, ['alpha', 'alpha'])).rejects.toMatchObject({ code: 'GI_REGISTRY_DUPLICATE_NAME' });
  });

  it('invalid entry-point metadata is reported, and module paths may not leave the package', () => {
    const reg = EntryPointRegistry.discover({ root: host([{ name: 'p-evil', entryPoints: { [NS]: { evil: '../../etc/x.js' } } }]) });
    expect(reg.metadataErrors[0]).toMatchObject({
      code: 'GI_REGISTRY_BAD_METADATA',
      message: expect.stringContaining('not a relative path inside the package'),
    });
  });

  it('finds packages in directories named in config', async () => {
    const root = host([]);
    const extra = path.join(root, 'local-plugins');
    mkdirSync(path.join(extra, 'mine'), { recursive: true });
    writeFileSync(
      path.join(extra, 'mine', 'package.json'),
      JSON.stringify({
        name: 'mine',
        version: '0.1.0',
        type: 'module',
        entryPoints: { [NS]: { mine: './m.js' } },
        peerDependencies: { '@glance-import/core': '*' },
      }),
    );
    writeFileSync(path.join(extra, 'mine', 'm.js'), 'export const getFlow = () => 1;');
    expect((await EntryPointRegistry.discover({ root, dirs: ['local-plugins'] }).driver(NS, 'mine')).name).toBe('mine');
  });

  it('can be built from given extensions, with no discovery', async () => {
    const reg = EntryPointRegistry.fromExtensions(NS, { a: () => 'A', b: () => 'B' });
    expect((await reg.loadNamed<() => string>(NS, ['b', 'a'])).map((l) => l.value())).toEqual(['B', 'A']);
  });

  it('the host root is found from below it, and its absence is a clear error', () => {
    const root = host([plugin('p-a', 'alpha')]);
    mkdirSync(path.join(root, 'deep', 'er'), { recursive: true });
    expect(EntryPointRegistry.discover({ root: path.join(root, 'deep', 'er') }).names(NS)).toEqual(['alpha']);
    expect(() => EntryPointRegistry.discover({ root: '/' })).toThrow(expect.objectContaining({ code: 'GI_REGISTRY_HOST_NOT_FOUND' }));
  });
});
