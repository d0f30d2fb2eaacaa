// Shared by this package's tests (not exported): temp dirs, data, sources and the system's digests.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

export const MiB = 1024 * 1024;
export const IMAGE_ID = '6b3c5f0e-2a3d-4c1b-9e8f-0a1b2c3d4e5f';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

export const tempDir = (prefix = 'gi-store-') => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
export const list = (dir: string) => readdirSync(dir).sort();

/** Random bytes in a file, and the digests `md5sum` / `sha512sum` print for it. */
export function fixture(bytes: number, dir = tempDir()) {
  const file = path.join(dir, 'fixture.img');
  const data = randomBytes(bytes);
  writeFileSync(file, data);
  return { file, data, ...systemDigests(file) };
}

export function systemDigests(file: string) {
  const sum = (tool: string) => execFileSync(tool, [file], { encoding: 'utf8' }).split(' ')[0]!;
  return { md5: sum('md5sum'), sha512: sum('sha512sum') };
}

/** A source in `size`-byte chunks that counts what was pulled from it and whether it was released. */
export function chunked(data: Buffer, size = 64 * 1024) {
  const state = { pulled: 0, released: false };
  async function* gen() {
    try {
      for (let at = 0; at < data.length; at += size) {
        state.pulled += Math.min(size, data.length - at);
        yield data.subarray(at, at + size);
      }
    } finally {
      state.released = true;
    }
  }
  return { source: gen(), state };
}

/** `data`, then nothing until `release()` is called: a stalled upload. */
export function stalling(data: Buffer) {
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const state = { reachedGate: false };
  async function* gen() {
    yield data;
    state.reachedGate = true;
    await gate;
  }
  return { source: gen(), release, state };
}

/** Resolves when `check()` holds (polling; for states reached inside a pending write). */
export async function until(check: () => boolean | Promise<boolean>, ms = 5000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}
