import { existsSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './support/run.js';
import { readManifest, REPO, workspacePackages, type WorkspacePackage } from './support/workspace.js';

// The release step of the README, `lerna version --conventional-commits --no-push`, run in a
// throwaway clone of the committed HEAD (as branch main, which lerna.json allows) with
// --no-git-tag-version: this repository is never touched. The clone is made to look just released
// (a tag per package at HEAD), then gets a fix in core and a feature in no_op.

const work = mkdtempSync(path.join(tmpdir(), 'gi-e2e-release-'));
const clone = path.join(work, 'repo');
const git = (...args: string[]) => run('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@localhost', ...args], { cwd: clone });
const lernaEnv = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', npm_config_nodedir: '/usr' };

let packages: WorkspacePackage[] = [];
const dirOf = (name: string) => path.join(clone, path.relative(REPO, packages.find((p) => p.name === name)!.dir));
const bump = (version: string, part: 'minor' | 'patch') => {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  return part === 'minor' ? `${major}.${minor + 1}.0` : `${major}.${minor}.${patch + 1}`;
};

beforeAll(async () => {
  packages = (await workspacePackages()).filter((p) => !p.manifest.private);
  await run('git', ['clone', '--quiet', '--no-hardlinks', REPO, clone], { cwd: work });
  await git('checkout', '--quiet', '-B', 'main');
  await git('remote', 'remove', 'origin');
  const { stdout: tags } = await git('tag', '--list');
  for (const t of tags.split('\n').filter(Boolean)) await git('tag', '--delete', t);
  for (const p of packages) await git('tag', `${p.name}@${p.manifest.version}`);
  writeFileSync(path.join(dirOf('@glance-import/core'), 'README.md'), '# core, fixed\n');
  await git('commit', '--quiet', '-am', 'fix(core): a fix made by the release test');
  writeFileSync(path.join(dirOf('@glance-import/plugin-no-op'), 'README.md'), '# no_op, improved\n');
  await git('commit', '--quiet', '-am', 'feat(plugin-no-op): a feature made by the release test');
}, 60_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('lerna version --conventional-commits', () => {
  it('no package takes a workspace package both as a peer and as a devDependency (lerna would publish the peer as workspace:)', () => {
    const names = new Set(packages.map((p) => p.name));
    const both = packages.flatMap((p) =>
      Object.keys(p.manifest.peerDependencies ?? {})
        .filter((d) => names.has(d) && d in ((p.manifest as { devDependencies?: Record<string, string> }).devDependencies ?? {}))
        .map((d) => `${p.name} -> ${d}`),
    );
    expect(both).toEqual([]);
  });

  it("bumps versions from the commits, writes each package's CHANGELOG, and commits, tags and pushes nothing", async () => {
    const head = (await git('rev-parse', 'HEAD')).stdout;
    const lockBefore = readFileSync(path.join(clone, 'pnpm-lock.yaml'), 'utf8');
    const r = await run(path.join(REPO, 'node_modules', '.bin', 'lerna'), ['version', '--conventional-commits', '--no-push', '--no-git-tag-version', '--yes'], {
      cwd: clone,
      env: lernaEnv,
    });
    expect(r.stderr).toContain('lerna success version finished');

    const version = (name: string) => packages.find((p) => p.name === name)!.manifest.version;
    const expected: Record<string, [string, string]> = {
      '@glance-import/core': [bump(version('@glance-import/core'), 'patch'), '### Bug Fixes\n\n* **core:** a fix made by the release test'],
      '@glance-import/plugin-no-op': [
        bump(version('@glance-import/plugin-no-op'), 'minor'),
        '### Features\n\n* **plugin-no-op:** a feature made by the release test',
      ],
      '@glance-import/cli': [bump(version('@glance-import/cli'), 'patch'), '**Note:** Version bump only for package @glance-import/cli'],
      '@glance-import/testing': [bump(version('@glance-import/testing'), 'patch'), '**Note:** Version bump only for package @glance-import/testing'],
    };
    for (const [name, [next, entry]] of Object.entries(expected)) {
      expect(readManifest(dirOf(name)).version, name).toBe(next);
      const changelog = readFileSync(path.join(dirOf(name), 'CHANGELOG.md'), 'utf8');
      expect(changelog, name).toMatch(
        new RegExp(`\\n##? \\[${next.replaceAll('.', '\\.')}\\]\\(/compare/${name.replace('/', '\\/')}@[^)]+\\) \\(\\d{4}-\\d\\d-\\d\\d\\)\\n`),
      );
      expect(changelog, name).toContain(entry);
    }
    for (const p of packages) {
      const m = readManifest(dirOf(p.name));
      const internal = Object.entries({ ...m.dependencies, ...m.peerDependencies }).filter(([d]) => packages.some((q) => q.name === d));
      expect(
        internal.filter(([, range]) => !range.startsWith('workspace:')),
        `${p.name} keeps its workspace: ranges`,
      ).toEqual([]);
    }
    expect((await git('rev-parse', 'HEAD')).stdout).toBe(head);
    expect((await git('tag', '--points-at', 'HEAD')).stdout).toBe('');
    expect(readFileSync(path.join(clone, 'pnpm-lock.yaml'), 'utf8')).toBe(lockBefore);
  }, 60_000);
});

// The root CHANGELOG.md is no second copy of what lerna writes: it links each package's CHANGELOG.md
// and names the versions each release published. A package is released once lerna has written its
// CHANGELOG.md; its newest version is the first heading there.
describe('the root CHANGELOG.md', () => {
  const root = readFileSync(path.join(REPO, 'CHANGELOG.md'), 'utf8');
  const released = () => packages.filter((p) => existsSync(path.join(p.dir, 'CHANGELOG.md')));

  it('links the CHANGELOG.md of every released package, and nothing that does not exist', () => {
    const links = [...root.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    expect(released().length).toBeGreaterThan(0);
    for (const p of released()) expect(links, p.name).toContain(path.relative(REPO, path.join(p.dir, 'CHANGELOG.md')));
    expect(links.filter((l) => !existsSync(path.join(REPO, l)))).toEqual([]);
  });

  it("names every released package's newest version in its release notes, and keeps no Unreleased section", () => {
    for (const p of released()) {
      const newest = /^##? \[?(\d+\.\d+\.\d+[^\]\s]*)/m.exec(readFileSync(path.join(p.dir, 'CHANGELOG.md'), 'utf8'))?.[1];
      expect(newest, `${p.name}'s CHANGELOG.md has a version heading`).toBeDefined();
      expect(root, `release notes for ${p.name}@${newest}`).toContain(`\`${p.name}@${newest}\``);
    }
    expect(root).not.toMatch(/^#+ .*unreleased/im);
  });
});
