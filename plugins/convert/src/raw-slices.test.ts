import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromRaw, MiB, qemuImg, rawData, workDir } from './images.fixture.js';
import { convertToRaw } from './raw-slices.js';

const digests = (file: string) => {
  const sum = (tool: string) => execFileSync(tool, [file], { encoding: 'utf8' }).split(' ')[0]!;
  return { checksum: sum('md5sum'), hashValue: sum('sha512sum') };
};
const opts = { timeoutMs: 60_000, onProgress: () => {} };
const never = () => new AbortController().signal;

/** A qcow2 with data, explicit zeros and unallocated space, spread over several slices. */
function sparseQcow2(dir: string): string {
  const file = path.join(dir, 'sparse.qcow2');
  qemuImg('create', '-f', 'qcow2', file, `${9 * MiB + 512}`);
  execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x61 1M 3M', '-c', 'write -z 5M 1M', '-c', 'write -P 0x62 8M 1M', file]);
  return file;
}

describe('conversion to raw in slices', () => {
  it('writes what one whole-image qemu-img convert writes, holes kept, and hashes it on the way', async () => {
    const dir = workDir();
    const src = sparseQcow2(dir);
    const whole = path.join(dir, 'whole.raw');
    qemuImg('convert', '-f', 'qcow2', '-O', 'raw', src, whole);
    const part = path.join(dir, 'out.raw.part');
    const seen: number[] = [];
    const hashes = await convertToRaw(src, 'qcow2', part, statSync(whole).size, {
      ...opts,
      signal: never(),
      hashAlgo: 'sha512',
      sliceBytes: 2 * MiB,
      onProgress: (b) => seen.push(b),
    });
    expect(readFileSync(part).equals(readFileSync(whole))).toBe(true);
    expect(statSync(part).blocks).toBeLessThanOrEqual(statSync(whole).blocks);
    expect(hashes).toEqual({ size: 9 * MiB + 512, hashAlgo: 'sha512', ...digests(whole) });
    expect(seen).toEqual([2, 4, 6, 8].map((m) => m * MiB).concat(9 * MiB + 512));
  });

  it('on the hashing threads for large data, with the same digests; none asked, none taken', async () => {
    const dir = workDir();
    const src = fromRaw(rawData(dir, 'big.raw', 65), 'qcow2', 'big.qcow2');
    const part = path.join(dir, 'big.out');
    const hashes = await convertToRaw(src, 'qcow2', part, 65 * MiB, { ...opts, signal: never(), hashAlgo: 'sha512', sliceBytes: 16 * MiB });
    expect(hashes).toEqual({ size: 65 * MiB, hashAlgo: 'sha512', ...digests(path.join(dir, 'big.raw')) });
    expect(await convertToRaw(src, 'qcow2', `${part}2`, 65 * MiB, { ...opts, signal: never() })).toBeUndefined();
    expect(readFileSync(`${part}2`).equals(readFileSync(path.join(dir, 'big.raw')))).toBe(true);
  });

  it('takes paths with commas (doubled in qemu option syntax)', async () => {
    const dir = path.join(workDir(), 'a,b');
    await mkdir(dir);
    const src = fromRaw(rawData(dir, 'x.raw', 1), 'qcow2', 'x,y.qcow2');
    const part = path.join(dir, 'x,y.raw.part');
    await convertToRaw(src, 'qcow2', part, MiB, { ...opts, signal: never(), hashAlgo: 'sha512' });
    expect(readFileSync(part).equals(readFileSync(path.join(dir, 'x.raw')))).toBe(true);
  });

  it('leaves no output behind when qemu-img fails or the import is cancelled', async () => {
    const dir = workDir();
    const src = sparseQcow2(dir);
    const part = path.join(dir, 'out.part');
    // A guest range beyond the image's end: qemu-img refuses the slice that reaches past it.
    await expect(convertToRaw(src, 'qcow2', part, 20 * MiB, { ...opts, signal: never(), hashAlgo: 'sha512', sliceBytes: 4 * MiB })).rejects.toMatchObject({
      code: 'GI_CONVERT_QEMU_IMG_FAILED',
    });
    expect(existsSync(part)).toBe(false);
    const stop = new AbortController();
    const run = convertToRaw(src, 'qcow2', part, 9 * MiB + 512, {
      ...opts,
      signal: stop.signal,
      hashAlgo: 'sha512',
      sliceBytes: MiB,
      onProgress: () => stop.abort(),
    });
    await expect(run).rejects.toMatchObject({ code: 'GI_CONVERT_CANCELLED' });
    expect(existsSync(part)).toBe(false);
  });
});
