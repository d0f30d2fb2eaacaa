import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './workspace.js';

/**
 * Copy the fixture package test/fixtures/`fixture` into `pluginsDir` (a folder for `[glance_import]
 * plugin_dirs`) with the workspace packages it imports (`core`, `store`, ...) linked from this
 * repository, the ones the built CLI loads. Returns the package's folder.
 */
export function installFixturePackage(pluginsDir: string, fixture: string, workspaceDeps: readonly string[] = ['core']): string {
  const pkg = path.join(pluginsDir, fixture);
  cpSync(path.join(import.meta.dirname, '..', 'fixtures', fixture), pkg, { recursive: true });
  mkdirSync(path.join(pkg, 'node_modules', '@glance-import'), { recursive: true });
  for (const dep of workspaceDeps) symlinkSync(path.join(REPO, 'packages', dep), path.join(pkg, 'node_modules', '@glance-import', dep));
  return pkg;
}
