import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { readManifest, type Manifest, type WorkspacePackage } from './workspace.js';

export interface ResolvedPackage {
  name: string;
  version: string;
  /** Where the workspace has it installed; its package.json is the one in the published tarball. */
  dir: string;
}

/** Where Node would find `name` from `dir`: node_modules of dir, then of each parent. */
function locate(dir: string, name: string): string | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(d) === d) return undefined;
  }
}

/** What npm installs for a package (dependencies, required peers; optional ones where they exist), and whether each may be absent. */
function needs(m: Manifest): Array<[string, boolean]> {
  const peers = Object.keys(m.peerDependencies ?? {}).filter((n) => m.peerDependenciesMeta?.[n]?.optional !== true);
  return [
    ...[...Object.keys(m.dependencies ?? {}), ...peers].map((n): [string, boolean] => [n, false]),
    ...Object.keys(m.optionalDependencies ?? {}).map((n): [string, boolean] => [n, true]),
  ];
}

/**
 * The third-party packages that installing `roots` pulls in, at the versions this workspace resolved:
 * their dependencies and required peers that are not workspace packages, and all those need in turn,
 * found through node_modules as Node finds them. Computed, so a new dependency needs no list kept.
 */
export function thirdPartyClosure(roots: readonly WorkspacePackage[], workspaceNames: ReadonlySet<string>): ResolvedPackage[] {
  const found = new Map<string, ResolvedPackage>();
  const visit = (fromDir: string, fromName: string, name: string, optional: boolean) => {
    if (workspaceNames.has(name)) return;
    const dir = locate(fromDir, name);
    if (!dir) {
      if (optional) return;
      throw new Error(`${name}, needed by ${fromName}, is not installed in the workspace: run pnpm install`);
    }
    const m = readManifest(dir);
    const key = `${m.name}@${m.version}`;
    if (found.has(key)) return;
    found.set(key, { name: m.name, version: m.version, dir });
    for (const [dep, opt] of needs(m)) visit(dir, key, dep, opt);
  };
  for (const root of roots) for (const [dep, opt] of needs(root.manifest)) visit(root.dir, root.name, dep, opt);
  return [...found.values()].sort((a, b) => `${a.name}@${a.version}`.localeCompare(`${b.name}@${b.version}`));
}
