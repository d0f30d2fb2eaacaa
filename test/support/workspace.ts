import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from './run.js';

/** The repository this suite belongs to. */
export const REPO = path.resolve(import.meta.dirname, '../..');

export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  files?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface WorkspacePackage {
  name: string;
  dir: string;
  manifest: Manifest;
}

export const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;

/** Every package of the pnpm workspace, as pnpm itself lists them. */
export async function workspacePackages(): Promise<WorkspacePackage[]> {
  const { stdout } = await run('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: REPO });
  return (JSON.parse(stdout) as Array<{ name: string; path: string }>)
    .filter((p) => p.path !== REPO)
    .map((p) => ({ name: p.name, dir: p.path, manifest: readManifest(p.path) }));
}

/** What a consumer needs installed: dependencies and the peers it may not leave out. */
export function runtimeDependencies(m: Manifest): Record<string, string> {
  const peers = Object.entries(m.peerDependencies ?? {}).filter(([n]) => !m.peerDependenciesMeta?.[n]?.optional);
  return { ...Object.fromEntries(peers), ...m.optionalDependencies, ...m.dependencies };
}

/** The named workspace packages and every workspace package they need at run time. */
export function withWorkspaceDependencies(all: readonly WorkspacePackage[], names: readonly string[]): WorkspacePackage[] {
  const byName = new Map(all.map((p) => [p.name, p]));
  const out = new Map<string, WorkspacePackage>();
  const visit = (name: string) => {
    const pkg = byName.get(name);
    if (!pkg || out.has(name)) return;
    out.set(name, pkg);
    Object.keys(runtimeDependencies(pkg.manifest)).forEach(visit);
  };
  names.forEach((n) => {
    if (!byName.has(n)) throw new Error(`${n} is not a workspace package`);
    visit(n);
  });
  return [...out.values()];
}

/** A package that ships dist/ must have been built: the suites test what would be published. */
export function assertBuilt(p: WorkspacePackage): void {
  if (p.manifest.files?.includes('dist') && !existsSync(path.join(p.dir, 'dist'))) {
    throw new Error(`${p.name} has no dist/ in ${p.dir}: run \`pnpm build\` first (\`pnpm test:all\` does)`);
  }
}

/**
 * `pnpm pack` a package directory into `dest` (workspace: ranges are rewritten as when publishing).
 */
export async function pack(dir: string, dest: string): Promise<string> {
  assertBuilt({ name: readManifest(dir).name, dir, manifest: readManifest(dir) });
  const { stdout } = await run('pnpm', ['pack', '--pack-destination', dest, '--json'], { cwd: dir });
  return (JSON.parse(stdout) as { filename: string }).filename;
}
