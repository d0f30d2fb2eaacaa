/** Images for the plugin's tests, made with the real qemu-img. */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runPlugin, type PluginRun, type RunPluginOptions } from '@glance-import/testing';
import { afterAll, onTestFinished } from 'vitest';
import { getFlow } from './index.js';

export const MiB = 1024 * 1024;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temporary directory, removed when the test file is done. */
export function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gi-convert-'));
  dirs.push(dir);
  return dir;
}

/** runPlugin on image_conversion (or a wrapper of it); its staging directory goes when the test ends. */
export async function convert(o: RunPluginOptions, plugin: Parameters<typeof runPlugin>[0] = getFlow): Promise<PluginRun> {
  const run = await runPlugin(plugin, o);
  onTestFinished(() => rmSync(run.stagingDir, { recursive: true, force: true }));
  return run;
}
export const qemuImg = (...args: string[]): string => execFileSync('qemu-img', args, { encoding: 'utf8' });

/** A raw file of `mib` MiB with recognisable, incompressible-ish content. */
export function rawData(dir: string, name: string, mib: number): string {
  const file = path.join(dir, name);
  const b = Buffer.alloc(mib * MiB);
  for (let i = 0; i < b.length; i += 4) b.writeUInt32LE((i * 2654435761) >>> 0, i);
  writeFileSync(file, b);
  return file;
}

/** `qemu-img convert -f raw -O <format> [-o options] raw <name>` */
export function fromRaw(raw: string, format: string, name: string, options?: string): string {
  const file = path.join(path.dirname(raw), name);
  qemuImg('convert', '-f', 'raw', '-O', format, ...(options ? ['-o', options] : []), raw, file);
  return file;
}

/** The original error behind a failed run. */
export const cause = (run: PluginRun): { code?: string; message: string; hint?: string } =>
  run.error!.failures[0]!.error as { code?: string; message: string; hint?: string };

/** Files left in the run's staging directory. */
export const staged = (run: PluginRun): string[] => readdirSync(run.stagingDir).sort();

/** The staged source, read back. */
export const source = (run: PluginRun): Buffer => readFileSync(path.join(run.stagingDir, run.image.id));

/**
 * A directory holding a `qemu-img` that runs the real one but throttles `convert` to 1 MiB/s (its
 * own -r option), so tests can stop a conversion while it runs. Put it first on PATH.
 */
export function slowQemuImg(): string {
  const dir = workDir();
  const real = execFileSync('sh', ['-c', 'command -v qemu-img'], { encoding: 'utf8' }).trim();
  writeFileSync(path.join(dir, 'qemu-img'), `#!/bin/sh\nif [ "$1" = convert ]; then shift; exec ${real} convert -r 1M "$@"; fi\nexec ${real} "$@"\n`);
  chmodSync(path.join(dir, 'qemu-img'), 0o755);
  return dir;
}

/** Processes whose command line mentions `text` (Linux /proc). */
export function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}
