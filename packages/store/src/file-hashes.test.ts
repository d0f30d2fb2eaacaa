import { appendFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { forgetFileHashes, knownFileHashes, rememberFileHashes } from './file-hashes.js';
import { fixture, MiB } from './data.fixture.js';

describe('hashes a writer took of its file', () => {
  const hashesOf = (fx: ReturnType<typeof fixture>, size: number) => ({ size, checksum: fx.md5, hashAlgo: 'sha512', hashValue: fx.sha512 });

  it('are given back for the same file in the same algorithm, by any spelling of its path, until forgotten', async () => {
    const fx = fixture(MiB + 3);
    await rememberFileHashes(fx.file, hashesOf(fx, MiB + 3));
    const other = path.join(path.dirname(fx.file), '.', path.basename(fx.file));
    expect(await knownFileHashes(other, 'sha512')).toEqual(hashesOf(fx, MiB + 3));
    expect(await knownFileHashes(fx.file, 'sha256')).toBeUndefined();
    forgetFileHashes(fx.file);
    expect(await knownFileHashes(fx.file, 'sha512')).toBeUndefined();
  });

  it('follow the file through a rename, never to a file that replaced it', async () => {
    const fx = fixture(MiB);
    const moved = `${fx.file}.raw`;
    await rememberFileHashes(fx.file, hashesOf(fx, MiB));
    renameSync(fx.file, moved);
    await rememberFileHashes(moved, hashesOf(fx, MiB));
    expect(await knownFileHashes(moved, 'sha512')).toBeDefined();
    writeFileSync(`${moved}.new`, Buffer.alloc(MiB));
    renameSync(`${moved}.new`, moved);
    expect(await knownFileHashes(moved, 'sha512')).toBeUndefined();
  });

  it('are never trusted once the file changed, nor recorded for a size that is not the file`s', async () => {
    const fx = fixture(MiB);
    await rememberFileHashes(fx.file, hashesOf(fx, MiB));
    utimesSync(fx.file, new Date(), new Date(Date.now() + 5_000));
    expect(await knownFileHashes(fx.file, 'sha512')).toBeUndefined();
    await rememberFileHashes(fx.file, hashesOf(fx, MiB));
    appendFileSync(fx.file, 'x');
    expect(await knownFileHashes(fx.file, 'sha512')).toBeUndefined();
    await rememberFileHashes(fx.file, hashesOf(fx, MiB));
    expect(await knownFileHashes(fx.file, 'sha512')).toBeUndefined();
  });
});
