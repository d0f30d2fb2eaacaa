import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run, type RunResult } from './run.js';

/** A fresh host application: an empty private package that plugins get installed into. */
export function createHost(dir: string, name = 'host-app'): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name, version: '1.0.0', private: true }, null, 2)}\n`);
  return dir;
}

/** Run the host's installed `glance-import` (node_modules/.bin), as an operator would. */
export function glanceImport(host: string, args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  return run(path.join(host, 'node_modules', '.bin', 'glance-import'), args, { cwd: host, env, allowFailure: true });
}

/**
 * `npm install` in a folder, quietly; extra npm arguments go first. Installing the CLI installs its
 * SQLite driver: give `servePrebuild().env` (support/prebuild.ts), or npm compiles it from source,
 * minutes on a loaded 2-core machine.
 */
export function npmInstall(dir: string, specs: readonly string[], args: readonly string[] = [], env: Record<string, string> = {}): Promise<RunResult> {
  return run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...args, ...specs], { cwd: dir, env, allowFailure: true, timeoutMs: 600_000 });
}
