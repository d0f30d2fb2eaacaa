import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { PluginRun, RunPluginOptions } from '@glance-import/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { RATIO_FLOOR } from './budget.js';
import { compressors, decompress, removeTmp, writeTmp, zipArchive } from './compressed.fixture.js';

afterAll(removeTmp);

const ZEROS = Buffer.alloc(64 << 20);
const MiB = 1 << 20;
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/** Stopped with the named guard; staging holds the upload byte for byte and nothing else. */
function expectStopped(run: PluginRun, input: Uint8Array, guard: string, limit: number) {
  expect(run.ok).toBe(false);
  expect(run.error?.failures[0]?.error).toMatchObject({ code: 'GI_DECOMPRESS_TOO_LARGE', details: { guard, limit } });
  expect(readdirSync(run.stagingDir)).toEqual([run.image.id]);
  expect(md5(readFileSync(path.join(run.stagingDir, run.image.id)))).toBe(md5(input));
  expect(run.changes).toEqual({});
}

type Setup = Pick<RunPluginOptions, 'options' | 'imageSizeCap' | 'stagingBytesLimit'>;
const guards = (inputBytes: number): Array<[string, Setup, number]> => [
  ['max_ratio', {}, Math.max(100 * inputBytes, RATIO_FLOOR)],
  ['image_size_cap', { options: { max_ratio: 0 }, imageSizeCap: 3 * MiB }, 3 * MiB],
  ['staging_quota', { options: { max_ratio: 0 }, stagingBytesLimit: 2 * MiB }, 2 * MiB],
  ['max_output_bytes', { options: { max_ratio: 0, max_output_bytes: MiB }, stagingBytesLimit: 2 * MiB }, MiB],
];

describe('image_decompression: decompression bombs', () => {
  const gzipBomb = gzipSync(ZEROS);
  it.each(guards(gzipBomb.length))('a gzip bomb is stopped by %s', async (guard, setup, limit) => {
    const run = await decompress({ file: writeTmp('in', gzipBomb), ...setup });
    expectStopped(run, gzipBomb, guard, limit);
  });

  const zipBomb = zipArchive([{ name: 'disk.img', data: ZEROS }]);
  it.each(guards(zipBomb.length))('a zip bomb is stopped by %s, from its header, before writing', async (guard, setup, limit) => {
    const run = await decompress({ file: writeTmp('in', zipBomb), ...setup });
    expectStopped(run, zipBomb, guard, limit);
    expect(run.progress).toEqual([]);
  });

  it('a zip bomb that understates its size in the header is stopped at the declared size', async () => {
    const input = zipArchive([{ name: 'disk.img', data: ZEROS, declaredSize: MiB }]);
    const run = await decompress({ file: writeTmp('in', input) });
    expect(run.error?.failures[0]?.error).toMatchObject({ code: 'GI_DECOMPRESS_CORRUPT' });
    expect(readdirSync(run.stagingDir)).toEqual([run.image.id]);
  });

  it.each(['zstd', 'xz', 'bzip2'] as const)('a %s bomb is stopped by max_ratio', async (format) => {
    const input = compressors[format](ZEROS);
    const run = await decompress({ file: writeTmp('in', input) });
    expectStopped(run, input, 'max_ratio', Math.max(100 * input.length, RATIO_FLOOR));
  });

  it('stops a 16 GiB gzip bomb as it streams, long before it could have written it', async () => {
    const member = gzipSync(ZEROS, { level: 1 });
    const input = Buffer.concat(new Array<Buffer>(256).fill(member));
    const started = Date.now();
    const run = await decompress({ file: writeTmp('in', input), options: { max_ratio: 0 }, imageSizeCap: 64 * MiB });
    expectStopped(run, input, 'image_size_cap', 64 * MiB);
    // Inflating 16 GiB takes over 15 s here; the stop comes after the first 64 MiB.
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('lets a small image through however far it expands: 4 MiB from 4 KiB, as a blank disk image does', async () => {
    const input = gzipSync(ZEROS.subarray(0, 4 * MiB));
    expect(input.length * 100).toBeLessThan(4 * MiB);
    const run = await decompress({ file: writeTmp('in', input) });
    expect(run.error).toBeUndefined();
    expect(run.image.size).toBe(4 * MiB);
  });

  it('lets an image through at exactly the limit', async () => {
    const data = ZEROS.subarray(0, 2 * MiB);
    const input = gzipSync(data);
    const run = await decompress({ file: writeTmp('in', input), options: { max_ratio: 0, max_output_bytes: 2 * MiB } });
    expect(run.error).toBeUndefined();
    expect(run.image.size).toBe(2 * MiB);
  });
});
