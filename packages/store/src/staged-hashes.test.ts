import { appendFileSync, createReadStream, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileStore } from './file-store.js';
import { StagingArea } from './staging.js';
import { stagedHashes, stageWithHashes } from './staged-hashes.js';
import { fixture, IMAGE_ID, list, MiB, tempDir, until } from './data.fixture.js';

describe('hashes taken while staging', () => {
  it('are those of the staged bytes, nothing added to staging, forgotten with the stage', async () => {
    const fx = fixture(3 * MiB + 11);
    const staging = new StagingArea(tempDir());
    const res = await stageWithHashes(staging, IMAGE_ID, createReadStream(fx.file), { sizeHint: 3 * MiB + 11 });
    const expected = { size: 3 * MiB + 11, checksum: fx.md5, hashAlgo: 'sha512', hashValue: fx.sha512 };
    expect(res).toEqual(expected);
    expect(await stagedHashes(staging, IMAGE_ID, 'sha512')).toEqual(expected);
    expect(list(staging.dir)).toEqual([IMAGE_ID]);
    await staging.remove(IMAGE_ID);
    expect(list(staging.dir)).toEqual([]);
    expect(await stagedHashes(staging, IMAGE_ID, 'sha512')).toBeUndefined();
  });

  it('are not taken when told the import will replace the data (hash: false): the stage is the same, no digest kept', async () => {
    const fx = fixture(65 * MiB);
    const staging = new StagingArea(tempDir());
    const res = await stageWithHashes(staging, IMAGE_ID, createReadStream(fx.file), { sizeHint: 65 * MiB, hash: false, resumable: true });
    expect(res).toMatchObject({ size: 65 * MiB, checksum: '', hashValue: '' });
    expect(statSync(staging.pathFor(IMAGE_ID)).size).toBe(65 * MiB);
    expect(await stagedHashes(staging, IMAGE_ID, 'sha512')).toBeUndefined();
  });

  it('on worker threads for large data (the upload announces its length), with the same digests', async () => {
    const fx = fixture(65 * MiB);
    const staging = new StagingArea(tempDir());
    expect(await stageWithHashes(staging, IMAGE_ID, createReadStream(fx.file), { sizeHint: 65 * MiB })).toMatchObject({
      checksum: fx.md5,
      hashValue: fx.sha512,
    });
  });

  it('are never trusted once the staged file changed: appended to, rewritten in place, replaced', async () => {
    const fx = fixture(MiB);
    const staging = new StagingArea(tempDir());
    const file = staging.pathFor(IMAGE_ID);
    const stage = async () => {
      await staging.remove(IMAGE_ID);
      await stageWithHashes(staging, IMAGE_ID, createReadStream(fx.file), {});
      expect(await stagedHashes(staging, IMAGE_ID, 'sha512')).toBeDefined();
    };
    // A resumed stage writing more at an offset.
    await stage();
    appendFileSync(file, 'more');
    expect(await stagedHashes(staging, IMAGE_ID, 'sha512')).toBeUndefined();
    // The same size, other bytes, even with the old mtime put back (another inode: a new file renamed into place).
    await stage();
    const before = statSync(file);
    const other = path.join(staging.dir, 'other');
    writeFileSync(other, Buffer.alloc(MiB, 1));
    utimesSync(other, before.atime, before.mtime);
    renameSync(other, file);
    expect(await stagedHashes(staging, IMAGE_ID, 'sha512')).toBeUndefined();
    // Rewritten in place: the same inode and size, a new mtime.
    await stage();
    // Past the file system's timestamp granularity (a few ms), as any later write is.
    const staged = statSync(file).mtimeMs;
    await until(() => Date.now() > staged + 20);
    writeFileSync(file, Buffer.alloc(MiB, 2), { flag: 'r+' });
    expect(await stagedHashes(staging, IMAGE_ID, 'sha512')).toBeUndefined();
    // Another hashing_algorithm than the one the stage was hashed with.
    await stage();
    expect(await stagedHashes(staging, IMAGE_ID, 'sha256')).toBeUndefined();
  });

  it('are absent for a stage written without them (counted only)', async () => {
    const fx = fixture(MiB);
    const staging = new StagingArea(tempDir());
    await staging.write(IMAGE_ID, createReadStream(fx.file), { hash: false });
    expect(await stagedHashes(staging, IMAGE_ID, 'sha512')).toBeUndefined();
  });
});

describe('a file store taking a staged file as it is', () => {
  it('links it (no byte copied), keeps the staged name for staging to remove, and never replaces data', async () => {
    const fx = fixture(MiB);
    const dir = tempDir();
    const store = createFileStore('local', { dir: path.join(dir, 'store') });
    const adopted = await store.adopt!(IMAGE_ID, fx.file);
    expect(adopted).toEqual({ location: `file://${path.join(dir, 'store', IMAGE_ID)}` });
    expect(statSync(path.join(dir, 'store', IMAGE_ID)).ino).toBe(statSync(fx.file).ino);
    await expect(store.adopt!(IMAGE_ID, fx.file)).rejects.toMatchObject({ code: 'GI_STORE_DUPLICATE' });
    await store.delete(adopted!.location);
    expect(statSync(fx.file).size).toBe(MiB);
  });
});
