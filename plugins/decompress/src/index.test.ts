import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { knownFileHashes } from '@glance-import/store';
import type { PluginRun, RunPluginOptions } from '@glance-import/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, compressors, diskData, decompress, removeTmp, writeTmp, zipArchive } from './compressed.fixture.js';

afterAll(removeTmp);

const DATA = diskData(3 << 20);
const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const stagedFiles = (run: PluginRun) => readdirSync(run.stagingDir).sort();
const stagedInput = (run: PluginRun) => readFileSync(path.join(run.stagingDir, run.image.id));
const cause = (run: PluginRun) => run.error?.failures[0]?.error as { code?: string; details?: Record<string, unknown>; message?: string } | undefined;

/** The failure left staging as it was: the upload, byte for byte, and nothing else. */
function expectUntouched(run: PluginRun, input: Uint8Array) {
  expect(run.ok).toBe(false);
  expect(stagedFiles(run)).toEqual([run.image.id]);
  expect(md5(stagedInput(run))).toBe(md5(input));
  expect(run.changes).toEqual({});
}

const formats: Array<[string, () => Buffer]> = [
  ['gzip (zlib)', () => gzipSync(DATA)],
  ['gzip, two members', () => Buffer.concat([gzipSync(DATA.subarray(0, 1000)), gzipSync(DATA.subarray(1000))])],
  ['zip (deflate)', () => compressors.zip(DATA)],
  ['zip (stored)', () => compressors.zip(DATA, ['-0'])],
  ['zstd', () => compressors.zstd(DATA)],
  [
    'zstd, two frames after a skippable one',
    () =>
      Buffer.concat([
        Buffer.from([0x5e, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]),
        compressors.zstd(DATA.subarray(0, 5000)),
        compressors.zstd(DATA.subarray(5000)),
      ]),
  ],
  ['xz', () => compressors.xz(DATA)],
  ['xz, two streams', () => Buffer.concat([compressors.xz(DATA.subarray(0, 5000)), compressors.xz(DATA.subarray(5000))])],
  ['bzip2', () => compressors.bzip2(DATA)],
  ['bzip2, two streams', () => Buffer.concat([compressors.bzip2(DATA.subarray(0, 5000)), compressors.bzip2(DATA.subarray(5000))])],
];

describe('image_decompression', () => {
  it.each(formats)('%s: decompresses byte for byte into <file>.uc and sets size; the upload stays', async (_name, make) => {
    const input = make();
    const run = await decompress({ file: writeTmp('in', input), image: { size: input.length } });
    expect(run.error).toBeUndefined();
    expect(run.filePath).toBe(path.join(run.stagingDir, `${run.image.id}.uc`));
    expect(md5(run.readData())).toBe(md5(DATA));
    expect(run.changes).toEqual({ size: { from: input.length, to: DATA.length } });
    expect(md5(stagedInput(run))).toBe(md5(input));
    expect(stagedFiles(run)).toEqual([run.image.id, `${run.image.id}.uc`]);
    const last = run.progress.at(-1)!;
    expect(last).toMatchObject({ phase: 'decompress' });
    expect(last.bytesDone).toBe(last.bytesTotal);
    expect(run.progress[0]).toMatchObject({ bytesDone: 0 });
  });

  it("passes the data through when container_format is 'compressed', as Glance does", async () => {
    const input = gzipSync(DATA);
    const run = await decompress({ file: writeTmp('in', input), image: { container_format: 'compressed', size: input.length } });
    expect(run.ok).toBe(true);
    expect(run.filePath).toBe(path.join(run.stagingDir, run.image.id));
    expect(md5(run.readData())).toBe(md5(input));
    expect(run.changes).toEqual({});
    expect(run.logs.some((l) => l.msg.includes("container_format is 'compressed'"))).toBe(true);
  });

  it('passes plain data through untouched', async () => {
    const run = await decompress({ file: writeTmp('in', DATA) });
    expect(run.ok).toBe(true);
    expect(run.filePath).toBe(path.join(run.stagingDir, run.image.id));
    expect(md5(run.readData())).toBe(md5(DATA));
    expect(run.changes).toEqual({});
    expect(stagedFiles(run)).toEqual([run.image.id]);
  });

  it('passes through compressions left out of [image_decompression] formats', async () => {
    const input = compressors.xz(DATA);
    const run = await decompress({ file: writeTmp('in', input), options: { formats: 'gzip, zip' } });
    expect(run.ok).toBe(true);
    expect(md5(run.readData())).toBe(md5(input));
    expect(run.logs.some((l) => l.msg.includes('xz is not listed'))).toBe(true);
  });

  it('refuses LHA archives with a clear error instead of storing them', async () => {
    const input = Buffer.concat([Buffer.from([0x24, 0x00]), Buffer.from('-lh5-'), DATA.subarray(0, 100)]);
    const run = await decompress({ file: writeTmp('in', input) });
    expectUntouched(run, input);
    expect(cause(run)?.code).toBe('GI_DECOMPRESS_UNSUPPORTED_FORMAT');
  });

  it('reverts when a later task fails: the .uc file goes, size is restored, the upload is as it was', async () => {
    const input = compressors.zstd(DATA);
    const run = await decompress({ file: writeTmp('in', input), image: { size: input.length }, failAfter: true });
    expect(run.reverted).toEqual(['FailAfter', 'Decompress_Image', 'VerifyStaging']);
    expectUntouched(run, input);
    expect(run.image.size).toBe(input.length);
    expect(run.logs.some((l) => l.msg.includes('Decompression reverted'))).toBe(true);
  });

  it('leaves md5 and hashAlgo of the output with it for the store write, and forgets them on revert', async () => {
    const run = await decompress({ file: writeTmp('in', gzipSync(DATA)), image: { size: 1 }, hashAlgo: 'sha512' });
    expect(run.error).toBeUndefined();
    expect(await knownFileHashes(run.filePath, 'sha512')).toEqual({
      size: DATA.length,
      checksum: md5(DATA),
      hashAlgo: 'sha512',
      hashValue: createHash('sha512').update(DATA).digest('hex'),
    });
    // Another algorithm than the one recorded: the store write hashes as it reads.
    expect(await knownFileHashes(run.filePath, 'sha256')).toBeUndefined();
    const failed = await decompress({ file: writeTmp('in', gzipSync(DATA)), image: { size: 1 }, hashAlgo: 'sha512', failAfter: true });
    expect(failed.reverted).toContain('Decompress_Image');
    expect(await knownFileHashes(path.join(failed.stagingDir, `${failed.image.id}.uc`), 'sha512')).toBeUndefined();
  });

  it('reverts a pass-through without touching anything', async () => {
    const run = await decompress({ file: writeTmp('in', DATA), failAfter: true });
    expect(run.reverted).toContain('Decompress_Image');
    expectUntouched(run, DATA);
  });
});

describe('image_decompression: damaged data', () => {
  const cut = (b: Buffer) => b.subarray(0, Math.floor(b.length * 0.6));
  const flip = (b: Buffer) => {
    const c = Buffer.from(b);
    const mid = Math.floor(c.length / 2);
    for (let i = mid + 200; i < mid + 400; i++) c[i] = c[i]! ^ 0x5a;
    return c;
  };
  const cases: Array<[string, () => Buffer]> = [
    ['truncated gzip', () => cut(gzipSync(DATA))],
    ['corrupt gzip', () => flip(gzipSync(DATA))],
    ['truncated zstd', () => cut(compressors.zstd(DATA))],
    ['corrupt zstd', () => flip(compressors.zstd(DATA))],
    ['truncated xz', () => cut(compressors.xz(DATA))],
    ['corrupt xz', () => flip(compressors.xz(DATA))],
    ['truncated bzip2', () => cut(compressors.bzip2(DATA))],
    ['corrupt bzip2', () => flip(compressors.bzip2(DATA))],
    ['truncated zip', () => cut(compressors.zip(DATA))],
    ['corrupt zip (deflate)', () => flip(compressors.zip(DATA))],
    ['corrupt zip (stored, CRC-32 mismatch)', () => flip(compressors.zip(DATA, ['-0']))],
    ['garbage after a gzip magic', () => Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), DATA.subarray(0, 4096)])],
  ];
  it.each(cases)('%s fails with GI_DECOMPRESS_CORRUPT and leaves staging as uploaded', async (_name, make) => {
    const input = make();
    const run = await decompress({ file: writeTmp('in', input) });
    expectUntouched(run, input);
    expect(cause(run)?.code).toBe('GI_DECOMPRESS_CORRUPT');
  });

  it('refuses a zstd frame that declares a window over 128 MiB before allocating it', async () => {
    // Frame header: no single segment, window descriptor 2^30, then an empty last raw block.
    const input = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 20 << 3, 0x01, 0x00, 0x00]);
    const run = await decompress({ file: writeTmp('in', input) });
    expectUntouched(run, input);
    expect(cause(run)).toMatchObject({ code: 'GI_DECOMPRESS_MEMORY', details: { needed: '1024 MiB' } });
  });

  it('refuses xz data that needs a dictionary over 64 MiB', async () => {
    const input = cli('xz', ['--lzma2=preset=1,dict=128MiB', '-c'], DATA.subarray(0, 4096));
    const run = await decompress({ file: writeTmp('in', input) });
    expectUntouched(run, input);
    expect(cause(run)?.code).toBe('GI_DECOMPRESS_MEMORY');
  });
});

describe('image_decompression: zip archives', () => {
  const one = (spec: Partial<Parameters<typeof zipArchive>[0][0]>) => zipArchive([{ name: 'disk.img', data: DATA.subarray(0, 65536), ...spec }]);
  const refused: Array<[string, () => Buffer, string]> = [
    [
      'two members',
      () =>
        zipArchive([
          { name: 'a.img', data: DATA.subarray(0, 10) },
          { name: 'b.img', data: DATA.subarray(10, 20) },
        ]),
      'GI_DECOMPRESS_ZIP_MEMBERS',
    ],
    ['no member', () => zipArchive([]), 'GI_DECOMPRESS_ZIP_MEMBERS'],
    ['a ../ name (zip slip)', () => one({ name: '../../etc/passwd' }), 'GI_DECOMPRESS_ZIP_UNSAFE_NAME'],
    ['an absolute name', () => one({ name: '/etc/passwd' }), 'GI_DECOMPRESS_ZIP_UNSAFE_NAME'],
    ['a drive-letter name', () => one({ name: 'C:/Windows/disk.img' }), 'GI_DECOMPRESS_ZIP_UNSAFE_NAME'],
    ['a backslash name', () => one({ name: '..\\..\\disk.img' }), 'GI_DECOMPRESS_ZIP_UNSAFE_NAME'],
    ['a directory', () => one({ name: 'disk/', data: new Uint8Array(0) }), 'GI_DECOMPRESS_ZIP_UNSUPPORTED'],
    ['an encrypted member', () => one({ flags: 0x801 }), 'GI_DECOMPRESS_ZIP_UNSUPPORTED'],
    [
      'a symbolic link',
      () => one({ data: Buffer.from('/etc/shadow'), method: 0, externalAttributes: (0o120777 << 16) >>> 0 }),
      'GI_DECOMPRESS_ZIP_UNSUPPORTED',
    ],
    ['bzip2 compression inside', () => one({ method: 12 }), 'GI_DECOMPRESS_ZIP_UNSUPPORTED'],
    ['a header that understates the size', () => one({ declaredSize: 1000 }), 'GI_DECOMPRESS_CORRUPT'],
  ];
  it.each(refused)('refuses an archive with %s', async (_name, make, code) => {
    const input = make();
    const run = await decompress({ file: writeTmp('in', input) });
    expectUntouched(run, input);
    expect(cause(run)?.code).toBe(code);
  });

  it('names the member and the reason', async () => {
    const run = await decompress({ file: writeTmp('in', one({ name: '../x.img' })) });
    expect(cause(run)).toMatchObject({ details: { name: '../x.img', reason: 'invalid relative path' } });
  });

  it('reads a hand-built archive with a UTF-8 name', async () => {
    const run = await decompress({ file: writeTmp('in', one({ name: 'dïsk.img' })) });
    expect(run.error).toBeUndefined();
    expect(md5(run.readData())).toBe(md5(DATA.subarray(0, 65536)));
  });
});
