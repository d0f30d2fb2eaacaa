import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import type { Io } from './io.js';
import { main } from './main.js';

// Test helpers for the CLI's unit tests (not part of the package's surface).

export interface FixturePlugin {
  package: string;
  entryPoint: string;
  /** ES module text; it may import '@glance-import/core'. */
  source: string;
  /** peerDependencies range on core; default '*'. */
  coreRange?: string;
  version?: string;
}

/**
 * A host application on disk: its package.json (with an optional `glance-import` config key), the
 * plugins as workspace packages, and `@glance-import/core` linked to this repository's core, so
 * plugin modules import the very core the CLI runs. Removed when the test ends.
 */
export function hostApp(plugins: FixturePlugin[], config?: Record<string, Record<string, unknown>>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'gi-cli-host-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(path.join(root, 'node_modules', '@glance-import'), { recursive: true });
  symlinkSync(path.resolve(import.meta.dirname, '../../core'), path.join(root, 'node_modules', '@glance-import', 'core'));
  for (const p of plugins) {
    const dir = path.join(root, 'plugins', p.package);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({
        name: p.package,
        version: p.version ?? '1.0.0',
        type: 'module',
        entryPoints: { 'glance.image_import.plugins': { [p.entryPoint]: './index.js' } },
        peerDependencies: { '@glance-import/core': p.coreRange ?? '*' },
      }),
    );
    writeFileSync(path.join(dir, 'index.js'), p.source);
  }
  writeFileSync(
    path.join(root, 'package.json'),
    JSON.stringify({ name: 'host-app', private: true, workspaces: ['plugins/*'], ...(config ? { 'glance-import': config } : {}) }),
  );
  return root;
}

/** Write a Glance-style INI file into the host; returns its path. */
export function iniFile(root: string, text: string, name = 'glance-image-import.conf'): string {
  const file = path.join(root, name);
  writeFileSync(file, text);
  return file;
}

/** An Io that keeps what a command writes, one string per stream. */
export function bufferIo(): Io & { stdout(): string; stderr(): string } {
  const out: string[] = [];
  const err: string[] = [];
  const join = (chunks: string[]) => chunks.map((c) => (c.endsWith('\n') ? c : `${c}\n`)).join('');
  return { out: (t) => out.push(t), err: (t) => err.push(t), stdout: () => join(out), stderr: () => join(err) };
}

/** A plugin made with definePlugin: one task named `task` that requires and provides file_path. */
export const pluginSource = (flow: string, task: string, spec = '') => `
import { definePlugin, defineTask, linearFlow, opts, FILE_PATH } from '@glance-import/core';
export const getFlow = definePlugin({
  ${spec}
  getFlow: () => linearFlow('${flow}', {}, defineTask({ name: '${task}', requires: [FILE_PATH], provides: FILE_PATH, execute: (i) => i.file_path })),
});
`;

/** Run the command line in-process; what it wrote, by stream, and its exit code. */
export async function runMain(argv: readonly string[], o: { columns?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = { ...bufferIo(), columns: o.columns };
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}
