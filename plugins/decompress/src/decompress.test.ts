import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ProgressUpdate } from '@glance-import/core';
import { afterAll, describe, expect, it } from 'vitest';
import { decompressFile } from './decompress.js';
import { diskData, removeTmp, tmp, writeTmp } from './compressed.fixture.js';

const DATA = diskData(16 << 20, 3);
const INPUT = gzipSync(DATA, { level: 1 });
const limits = { imageSizeCap: 2 ** 40, maxRatio: 100, maxOutputBytes: 0 };

afterAll(removeTmp);

describe('decompressFile', () => {
  it('reports input consumed about every 4 MiB, from 0 to the whole file', async () => {
    const src = writeTmp('in.gz', INPUT);
    const updates: ProgressUpdate[] = [];
    const result = await decompressFile(src, `${src}.uc`, 'gzip', {
      limits,
      signal: new AbortController().signal,
      progress: { report: (u) => updates.push(u) },
    });
    expect(result).toEqual({ inputBytes: INPUT.length, outputBytes: DATA.length });
    const done = updates.map((u) => u.bytesDone!);
    expect(updates.every((u) => u.phase === 'decompress' && u.bytesTotal === INPUT.length)).toBe(true);
    expect(done[0]).toBe(0);
    expect(done.at(-1)).toBe(INPUT.length);
    expect(done.length).toBeGreaterThanOrEqual(4);
    expect([...done].sort((a, b) => a - b)).toEqual(done);
    expect(readFileSync(`${src}.uc`).equals(DATA)).toBe(true);
  });

  it('hashes the output as it writes it, on the hashing threads for a large input', async () => {
    // Random data: gzip keeps it at its size, so the input is large enough for the worker threads.
    const data = randomBytes(72 << 20);
    const src = writeTmp('big.gz', gzipSync(data, { level: 1 }));
    const result = await decompressFile(src, `${src}.uc`, 'gzip', {
      limits,
      signal: new AbortController().signal,
      progress: { report: () => undefined },
      hashAlgo: 'sha256',
    });
    expect(result.hashes).toEqual({
      size: data.length,
      checksum: createHash('md5').update(data).digest('hex'),
      hashAlgo: 'sha256',
      hashValue: createHash('sha256').update(data).digest('hex'),
    });
    expect(readFileSync(`${src}.uc`).equals(data)).toBe(true);
  });

  it('stops when the signal is aborted midway and removes the partial output', async () => {
    const src = writeTmp('in.gz', INPUT);
    const abort = new AbortController();
    const progress = {
      report: (u: ProgressUpdate) => {
        if (u.bytesDone! > 0) abort.abort(new Error('import cancelled'));
      },
    };
    await expect(decompressFile(src, `${src}.uc`, 'gzip', { limits, signal: abort.signal, progress })).rejects.toMatchObject({ name: 'AbortError' });
    expect(existsSync(`${src}.uc`)).toBe(false);
    expect(existsSync(`${src}.uc.part`)).toBe(false);
    expect(readFileSync(src).equals(INPUT)).toBe(true);
  });

  it('says where it could not write, and leaves the input alone', async () => {
    const src = writeTmp('in.gz', INPUT);
    const dest = path.join(tmp(), 'no-such-dir', 'out.uc');
    await expect(decompressFile(src, dest, 'gzip', { limits, signal: new AbortController().signal, progress: { report: () => {} } })).rejects.toMatchObject({
      code: 'GI_DECOMPRESS_WRITE_FAILED',
      details: { path: `${dest}.part` },
    });
    expect(readFileSync(src).equals(INPUT)).toBe(true);
  });
});
