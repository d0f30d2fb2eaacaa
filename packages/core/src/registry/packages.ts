import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { giError } from '../errors.js';

export interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  workspaces?: string[] | { packages?: string[] };
  entryPoints?: unknown;
}

export interface PackageInfo {
  dir: string;
  json: PackageJson;
}

export function readPackage(dir: string): PackageInfo | undefined {
  const file = path.join(dir, 'package.json');
  if (!existsSync(file)) return undefined;
  return { dir: realpathSync(dir), json: JSON.parse(readFileSync(file, 'utf8')) as PackageJson };
}

/** The nearest directory at or above `from` holding a package.json. */
export function findHostRoot(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw giError('GI_REGISTRY_HOST_NOT_FOUND', { root: from });
    dir = up;
  }
}

/** Locate an installed dependency the way Node does: node_modules of the root, then of each parent. */
function locateDependency(root: string, name: string): string | undefined {
  let dir = root;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((d) => path.join(dir, d))
    .filter((d) => statSync(d).isDirectory() && path.basename(d) !== 'node_modules');
}

/** Expand workspace globs of the forms `dir`, `dir/*` and `dir/**`; `!pattern` excludes. */
function expandWorkspaceGlobs(root: string, patterns: string[]): string[] {
  const out = new Set<string>();
  const excluded = new Set<string>();
  const walk = (dir: string, acc: Set<string>) => {
    for (const d of subdirs(dir)) {
      if (existsSync(path.join(d, 'package.json'))) acc.add(d);
      walk(d, acc);
    }
  };
  for (const raw of patterns) {
    const neg = raw.startsWith('!');
    const pattern = (neg ? raw.slice(1) : raw).replace(/\/+$/, '');
    const acc = new Set<string>();
    if (pattern.endsWith('/**')) walk(path.join(root, pattern.slice(0, -3)), acc);
    else if (pattern.endsWith('/*')) subdirs(path.join(root, pattern.slice(0, -2))).forEach((d) => existsSync(path.join(d, 'package.json')) && acc.add(d));
    else if (existsSync(path.join(root, pattern, 'package.json'))) acc.add(path.join(root, pattern));
    acc.forEach((d) => (neg ? excluded : out).add(d));
  }
  return [...out].filter((d) => !excluded.has(d));
}

function workspacePackages(root: string, json: PackageJson): string[] {
  const patterns: string[] = [];
  const pnpmFile = path.join(root, 'pnpm-workspace.yaml');
  if (existsSync(pnpmFile)) {
    const doc = parseYaml(readFileSync(pnpmFile, 'utf8')) as { packages?: unknown } | null;
    if (Array.isArray(doc?.packages)) patterns.push(...doc.packages.filter((p): p is string => typeof p === 'string'));
  }
  const ws = Array.isArray(json.workspaces) ? json.workspaces : json.workspaces?.packages;
  if (ws) patterns.push(...ws);
  return expandWorkspaceGlobs(root, patterns);
}

/**
 * The packages a host declares: itself, its dependencies (located from its root), its workspace
 * packages, and extra directories (a package dir, or a dir of package dirs). No blind scan of
 * node_modules: a package nobody declared is never a candidate.
 */
export function hostCandidates(root: string, extraDirs: readonly string[] = []): PackageInfo[] {
  const host = readPackage(root);
  if (!host) throw giError('GI_REGISTRY_HOST_NOT_FOUND', { root });
  const dirs: string[] = [root];
  const deps = { ...host.json.devDependencies, ...host.json.optionalDependencies, ...host.json.dependencies };
  for (const name of Object.keys(deps)) {
    const d = locateDependency(root, name);
    if (d) dirs.push(d);
  }
  dirs.push(...workspacePackages(root, host.json));
  for (const extra of extraDirs) {
    const abs = path.resolve(root, extra);
    if (existsSync(path.join(abs, 'package.json'))) dirs.push(abs);
    else dirs.push(...subdirs(abs).filter((d) => existsSync(path.join(d, 'package.json'))));
  }
  const seen = new Map<string, PackageInfo>();
  for (const d of dirs) {
    const info = readPackage(d);
    if (info && !seen.has(info.dir)) seen.set(info.dir, info);
  }
  return [...seen.values()];
}
