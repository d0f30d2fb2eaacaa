import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thirdPartyClosure } from './support/closure.js';
import { createHost, glanceImport, npmInstall } from './support/host.js';
import { servePrebuild, type PrebuildHost } from './support/prebuild.js';
import { packFromNpm, publishTarballs, startRegistry, type Registry } from './support/registry.js';
import { run } from './support/run.js';
import { assertBuilt, REPO, workspacePackages, type WorkspacePackage } from './support/workspace.js';

// Every public package is published to a private registry that has nothing else (verdaccio without
// uplinks), next to a mirror of the third-party packages they need; a fresh folder then installs the
// CLI and a plugin from that registry alone. A workspace: range left in a manifest, a package without
// its dist, or a dependency or peer nobody published makes an install or a command here fail.
// better-sqlite3 comes as the workspace's own compiled binary (support/prebuild.ts), not compiled again.

const work = mkdtempSync(path.join(tmpdir(), 'gi-e2e-publish-'));
const host = path.join(work, 'host');
let registry: Registry | undefined;
let prebuild: PrebuildHost | undefined;
let published: WorkspacePackage[] = [];

const reg = () => registry!;
const versionOf = (name: string) => published.find((p) => p.name === name)!.manifest.version;

beforeAll(async () => {
  const all = await workspacePackages();
  published = all.filter((p) => !p.manifest.private);
  published.forEach(assertBuilt);
  // pnpm publish lets publishConfig.registry win over --registry: never let a test publish elsewhere.
  const elsewhere = published.filter((p) => (p.manifest as { publishConfig?: { registry?: string } }).publishConfig?.registry);
  if (elsewhere.length) throw new Error(`publishConfig.registry would redirect this suite's publish: ${elsewhere.map((p) => p.name).join(', ')}`);
  const closure = thirdPartyClosure(published, new Set(all.map((p) => p.name)));
  const [started, mirrored, binary] = await Promise.all([
    startRegistry(path.join(work, 'registry')),
    packFromNpm(closure, path.join(work, 'mirror')),
    servePrebuild(),
  ]);
  prebuild = binary;
  registry = started;
  await publishTarballs(reg(), mirrored);
  await run('pnpm', ['-r', 'publish', '--registry', reg().url, '--no-git-checks'], { cwd: REPO, env: reg().env });
}, 300_000);

afterAll(async () => {
  await registry?.stop();
  await prebuild?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('publishing to a registry and installing from it alone', () => {
  it('every public package is published, with no workspace: range left in what consumers install', async () => {
    for (const p of published) {
      const res = await fetch(`${reg().url}${p.name.replace('/', '%2f')}`);
      expect(res.status, p.name).toBe(200);
      const manifest = ((await res.json()) as { versions: Record<string, Record<string, Record<string, string> | undefined>> }).versions[p.manifest.version];
      expect(manifest, `${p.name}@${p.manifest.version}`).toBeDefined();
      const ranges = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((f) => Object.values(manifest![f] ?? {}));
      expect(
        ranges.filter((r) => r.startsWith('workspace:')),
        p.name,
      ).toEqual([]);
    }
  });

  it('a fresh folder installs @glance-import/cli and the no_op plugin; glance-import lists and checks it', async () => {
    createHost(host);
    const install = await npmInstall(host, ['@glance-import/cli', '@glance-import/plugin-no-op'], [], { ...reg().env, ...prebuild!.env });
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    expect(prebuild!.requests.filter((r) => r.endsWith('.tar.gz'))).toHaveLength(1);

    const list = await glanceImport(host, ['plugins', 'list']);
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toMatch(
      new RegExp(`\\nglance\\.image_import\\.plugins +no_op +@glance-import/plugin-no-op +${versionOf('@glance-import/plugin-no-op')} +yes\\n`),
    );

    writeFileSync(path.join(host, 'glance-import.config.json'), JSON.stringify({ image_import_opts: { image_import_plugins: ['no_op'] } }));
    const check = await glanceImport(host, ['config', 'check']);
    expect(check).toMatchObject({ code: 0, stderr: '' });
    expect(check.stdout).toContain(
      `config: ${path.join(host, 'glance-import.config.json')}\nimport plugins, in order:\n  1. no_op  @glance-import/plugin-no-op@`,
    );
  }, 900_000);

  it("the plugin author's path of docs/plugin-authors.md: test with @glance-import/testing, publish, install, list", async () => {
    const plugin = path.join(work, 'raw-padding');
    cpSync(path.join(import.meta.dirname, 'fixtures', 'third-party-plugin'), plugin, { recursive: true });
    const dev = await npmInstall(plugin, ['@glance-import/core', '@glance-import/testing'], ['--save-dev'], reg().env);
    expect(dev.code, dev.stderr).toBe(0);
    const test = await run('npm', ['test'], { cwd: plugin, env: reg().env, allowFailure: true });
    expect(test.code, test.stdout).toBe(0);
    expect(test.stdout).toMatch(/# pass 4\n# fail 0\n/);
    await run('npm', ['publish'], { cwd: plugin, env: reg().env });

    const install = await npmInstall(host, ['glance-import-plugin-raw-padding'], [], { ...reg().env, ...prebuild!.env });
    expect(install.code, install.stderr).toBe(0);
    copyFileSync(path.join(import.meta.dirname, 'fixtures', 'glance-image-import.conf'), path.join(host, 'glance-image-import.conf'));
    const npx = (...args: string[]) => run('npx', ['glance-import', ...args], { cwd: host, env: reg().env, allowFailure: true });
    const list = await npx('plugins', 'list');
    expect(list.stdout).toMatch(/\nglance\.image_import\.plugins +raw_padding +glance-import-plugin-raw-padding +1\.0\.0 +yes\n/);
    const check = await npx('config', 'check', '--config-file', 'glance-image-import.conf');
    expect(check).toMatchObject({ code: 0, stderr: '' });
    expect(check.stdout).toMatch(
      / {2}1\. no_op .*\n {5}Does nothing; logs that it ran\.\n {2}2\. raw_padding {2}glance-import-plugin-raw-padding@1\.0\.0 {2}\[raw_padding\]\n/,
    );
    expect(check.stdout).toContain('    raw_padding [linear]\n      PadRawImage (requires file_path; provides file_path)\n');
  }, 300_000);
});
