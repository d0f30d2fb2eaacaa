import { execFile, spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { giError } from './errors.js';

/** Glance's QEMU_IMG_PROC_LIMITS for `qemu-img info` (bug 1449062: crafted images that eat CPU or memory). */
export const INFO_CPU_SECONDS = 2;
export const INFO_ADDRESS_SPACE = 1024 ** 3;
/** Wall-clock bound for `qemu-img info`: CPU limits do not stop a process blocked on I/O. */
export const INFO_TIMEOUT_MS = 30_000;
/** How long qemu-img gets to exit after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 5_000;
const MAX_OUTPUT = 1024 * 1024;

/** The first executable `name` on PATH, or undefined. */
export async function which(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, name);
    try {
      await access(file, constants.X_OK);
      return file;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

export interface RunOptions {
  /** `info` or `convert`: names the command in errors. */
  command: string;
  signal: AbortSignal;
  timeoutMs: number;
  /** Run under Glance's CPU and address-space limits (prlimit, or the shell's ulimit without it). */
  limited?: boolean;
  onStdout?: (text: string) => void;
}

async function commandLine(qemuImg: string, args: string[], limited: boolean): Promise<[string, string[]]> {
  if (!limited) return [qemuImg, args];
  const prlimit = await which('prlimit');
  if (prlimit) return [prlimit, [`--cpu=${INFO_CPU_SECONDS}`, `--as=${INFO_ADDRESS_SPACE}`, '--', qemuImg, ...args]];
  // One limit per ulimit call: dash, Debian's /bin/sh, takes no more.
  const ulimit = `ulimit -t ${INFO_CPU_SECONDS} && ulimit -v ${INFO_ADDRESS_SPACE / 1024} && exec "$0" "$@"`;
  return ['/bin/sh', ['-c', ulimit, qemuImg, ...args]];
}

const keep = (s: string, more: string) => (s.length > MAX_OUTPUT ? s : s + more.slice(0, MAX_OUTPUT - s.length));

/**
 * Run qemu-img with a deadline and the import's abort signal: either one stops it (SIGTERM, then
 * SIGKILL) and the promise rejects only once the process is gone, so callers can clean up its
 * files. As in Glance, anything on stderr counts as failure.
 */
export async function runQemuImg(args: string[], o: RunOptions): Promise<string> {
  const qemuImg = await which('qemu-img');
  if (!qemuImg) throw giError('GI_CONVERT_QEMU_IMG_MISSING', {});
  if (o.signal.aborted) throw giError('GI_CONVERT_CANCELLED', {});
  const [cmd, argv] = await commandLine(qemuImg, args, o.limited ?? false);
  return new Promise((resolve, reject) => {
    // Its own process group: a Ctrl-C in the terminal that runs `serve` reaches the whole foreground
    // group, and must not kill qemu-img under a running import. The server stops it (through
    // `signal`) when it stops the import, after the shutdown grace period.
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let stopped: Error | undefined;
    let killer: NodeJS.Timeout | undefined;
    const stop = (why: Error) => {
      stopped ??= why;
      child.kill('SIGTERM');
      killer ??= setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = () => stop(giError('GI_CONVERT_CANCELLED', {}));
    const deadline = setTimeout(() => stop(giError('GI_CONVERT_TIMEOUT', { command: o.command, seconds: Math.round(o.timeoutMs / 1000) })), o.timeoutMs);
    o.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      o.onStdout?.(s);
      if (!o.onStdout) stdout = keep(stdout, s);
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr = keep(stderr, s);
    });
    const settle = (error: Error | undefined) => {
      clearTimeout(deadline);
      clearTimeout(killer);
      o.signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(stdout);
    };
    // A process that never started has nothing to wait for; one that did is awaited in 'close'.
    child.on('error', (e) => (child.pid === undefined ? settle(giError('GI_CONVERT_QEMU_IMG_FAILED', { command: o.command, reason: e.message })) : stop(e)));
    child.on('close', (code, signal) => {
      if (child.pid === undefined) return;
      const problem = stderr.trim() || (code === 0 ? '' : `exited with ${signal ?? `code ${code}`}`);
      settle(stopped ?? (problem ? giError('GI_CONVERT_QEMU_IMG_FAILED', { command: o.command, reason: problem }) : undefined));
    });
  });
}

/** What `qemu-img info --output=json` says, in the parts image_conversion reads. */
export interface QemuInfo {
  format?: string;
  'virtual-size'?: number;
  'backing-filename'?: string;
  'format-specific'?: { type?: string; data?: { 'data-file'?: string; 'create-type'?: string } };
}

/** `qemu-img info -f <driver> --output=json`, bounded as Glance bounds it. */
export async function qemuImgInfo(file: string, driver: string, signal: AbortSignal): Promise<QemuInfo> {
  const out = await runQemuImg(['info', '-f', driver, '--output=json', file], { command: 'info', signal, timeoutMs: INFO_TIMEOUT_MS, limited: true });
  try {
    return JSON.parse(out) as QemuInfo;
  } catch {
    throw giError('GI_CONVERT_QEMU_IMG_FAILED', { command: 'info', reason: 'its output is not JSON' });
  }
}

const sliceSupport = new Map<string, Promise<boolean>>();

/**
 * Whether the qemu-img on PATH can convert into a range of an existing image, as raw-slices does
 * (`--target-is-zero`, qemu 5.0 and later). Asked once per qemu-img binary.
 */
export async function convertsInSlices(): Promise<boolean> {
  const qemuImg = await which('qemu-img');
  if (!qemuImg) return false;
  let known = sliceSupport.get(qemuImg);
  if (!known) {
    known = new Promise((resolve) =>
      execFile(qemuImg, ['--help'], { timeout: INFO_TIMEOUT_MS }, (_e, stdout) => resolve(String(stdout).includes('--target-is-zero'))),
    );
    sliceSupport.set(qemuImg, known);
  }
  return known;
}
