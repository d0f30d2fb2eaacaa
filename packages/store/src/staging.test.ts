import { createReadStream, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StagingArea } from './staging.js';
import { chunked, fixture, IMAGE_ID, list, MiB, stalling, systemDigests, tempDir, until } from './data.fixture.js';

const OTHER_ID = '0f0e0d0c-0b0a-4909-8807-060504030201';

describe('StagingArea location', () => {
  it("takes node_staging_uri as Glance does ('file://' + absolute path) or a directory, and creates it", () => {
    const base = tempDir();
    expect(new StagingArea(`file://${base}/a/`).dir).toBe(path.join(base, 'a'));
    expect(new StagingArea(path.join(base, 'b')).dir).toBe(path.join(base, 'b'));
    expect(list(base)).toEqual(['a', 'b']);
    for (const bad of ['file://relative/dir', 'swift://container', '']) {
      expect(() => new StagingArea(bad)).toThrow(expect.objectContaining({ code: 'GI_STORE_BAD_STAGING_URI', status: 400 }));
    }
  });

  it('refuses image ids that are not plain file names', () => {
    const staging = new StagingArea(tempDir());
    for (const bad of ['../etc', 'a/b', 'id.uc', '']) {
      expect(() => staging.pathFor(bad)).toThrow(expect.objectContaining({ code: 'GI_STORE_BAD_IMAGE_ID' }));
    }
  });
});

describe('StagingArea.write', () => {
  it('stages the data with its size and digests, taken in the same pass', async () => {
    const fx = fixture(2 * MiB + 5);
    const staging = new StagingArea(tempDir());
    const result = await staging.write(IMAGE_ID, createReadStream(fx.file));
    expect(result).toEqual({ size: 2 * MiB + 5, checksum: fx.md5, hashAlgo: 'sha512', hashValue: fx.sha512 });
    expect(systemDigests(staging.pathFor(IMAGE_ID))).toEqual({ md5: fx.md5, sha512: fx.sha512 });
    expect(await staging.has(IMAGE_ID)).toBe(true);
    expect(await staging.size(IMAGE_ID)).toBe(2 * MiB + 5);
    expect(list(staging.dir)).toEqual([IMAGE_ID]);
  });

  it('counts a stage only once its last byte is on disk', async () => {
    const staging = new StagingArea(tempDir());
    const upload = stalling(Buffer.alloc(1000, 1));
    const writing = staging.write(IMAGE_ID, upload.source);
    await until(() => upload.state.reachedGate);
    expect(await staging.has(IMAGE_ID)).toBe(false);
    expect(await staging.size(IMAGE_ID)).toBeUndefined();
    expect(list(staging.dir)).toEqual([expect.stringMatching(new RegExp(`^${IMAGE_ID}\\.part-`))]);
    upload.release();
    await expect(writing).resolves.toMatchObject({ size: 1000 });
    expect(await staging.has(IMAGE_ID)).toBe(true);
    expect(list(staging.dir)).toEqual([IMAGE_ID]);
  });

  it('leaves only a .part file when the process dies mid-write, which the next start sweeps', async () => {
    const dir = tempDir();
    const upload = stalling(Buffer.alloc(1000, 1));
    new StagingArea(dir).write(IMAGE_ID, upload.source).catch(() => undefined);
    await until(() => upload.state.reachedGate);
    // The writer never resumes, as after a kill: a new process opens the same directory.
    const restarted = new StagingArea(dir);
    expect(await restarted.has(IMAGE_ID)).toBe(false);
    const removed = await restarted.sweep(async () => true, { staleAfterMs: 0 });
    expect(removed).toEqual([expect.stringMatching(/\.part-/)]);
    expect(list(dir)).toEqual([]);
  });

  it('answers a second stage with 409 "has data on staging" without reading the upload', async () => {
    const staging = new StagingArea(tempDir());
    await staging.write(IMAGE_ID, chunked(Buffer.from('first')).source);
    const again = chunked(Buffer.from('second'));
    await expect(staging.write(IMAGE_ID, again.source)).rejects.toMatchObject({
      code: 'GI_STORE_STAGE_EXISTS',
      status: 409,
      message: `The image ${IMAGE_ID} has data on staging`,
    });
    expect(again.state.pulled).toBe(0);
    expect(await readFile(staging.pathFor(IMAGE_ID), 'utf8')).toBe('first');
    expect(list(staging.dir)).toEqual([IMAGE_ID]);
  });

  it('stops an upload without a size at image_size_cap and removes the partial file', async () => {
    const staging = new StagingArea(tempDir());
    const upload = chunked(Buffer.alloc(8 * MiB), 256 * 1024);
    await expect(staging.write(IMAGE_ID, upload.source, { maxBytes: 3 * MiB })).rejects.toMatchObject({ code: 'GI_STORE_TOO_LARGE', status: 413 });
    expect(upload.state.pulled).toBeLessThanOrEqual(3 * MiB + 256 * 1024);
    expect(list(staging.dir)).toEqual([]);
  });

  it('fails a short or long upload against its announced size and keeps nothing', async () => {
    const staging = new StagingArea(tempDir());
    await expect(staging.write(IMAGE_ID, chunked(Buffer.alloc(99)).source, { expectedBytes: 100 })).rejects.toMatchObject({ code: 'GI_STORE_SIZE_MISMATCH' });
    await expect(staging.write(IMAGE_ID, chunked(Buffer.alloc(101)).source, { expectedBytes: 100 })).rejects.toMatchObject({ code: 'GI_STORE_SIZE_MISMATCH' });
    expect(list(staging.dir)).toEqual([]);
  });

  it('aborts mid-write on its signal and removes the partial file', async () => {
    const staging = new StagingArea(tempDir());
    const upload = stalling(Buffer.alloc(MiB));
    const ctl = new AbortController();
    const writing = staging.write(IMAGE_ID, upload.source, { signal: ctl.signal });
    await until(() => upload.state.reachedGate);
    ctl.abort();
    await expect(writing).rejects.toMatchObject({ code: 'GI_STORE_ABORTED' });
    expect(list(staging.dir)).toEqual([]);
    upload.release();
  });

  it('reads staged data back; a missing stage is GI_STORE_NOT_FOUND', async () => {
    const staging = new StagingArea(tempDir());
    await staging.write(IMAGE_ID, chunked(Buffer.from('staged bytes')).source);
    const { stream, size } = await staging.read(IMAGE_ID);
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    expect([Buffer.concat(parts).toString(), size]).toEqual(['staged bytes', 12]);
    await expect(staging.read(OTHER_ID)).rejects.toMatchObject({ code: 'GI_STORE_NOT_FOUND', status: 404 });
  });
});

describe('StagingArea housekeeping', () => {
  const populate = (dir: string) => {
    for (const name of [IMAGE_ID, `${IMAGE_ID}.uc`, `${OTHER_ID}`, `${OTHER_ID}.raw`, `${OTHER_ID}x`, 'notes.txt']) writeFileSync(path.join(dir, name), 'abcd');
    mkdirSync(path.join(dir, `${IMAGE_ID}.work`));
    writeFileSync(path.join(dir, `${IMAGE_ID}.work`, 'tmp'), 'abcdef');
  };

  it('remove() drops <id> and every <id>.* entry, and nothing else; missing is fine', async () => {
    const staging = new StagingArea(tempDir());
    populate(staging.dir);
    await staging.remove(IMAGE_ID);
    expect(list(staging.dir)).toEqual([OTHER_ID, `${OTHER_ID}.raw`, `${OTHER_ID}x`, 'notes.txt']);
    await expect(staging.remove(IMAGE_ID)).resolves.toBeUndefined();
  });

  it('usage() counts every byte in staging', async () => {
    const staging = new StagingArea(tempDir());
    populate(staging.dir);
    expect(await staging.usage()).toBe(6 * 4 + 6);
  });

  it('sweep() removes the data of images that are not live and stale partial writes, and ignores non-UUID names', async () => {
    const staging = new StagingArea(tempDir());
    populate(staging.dir);
    const fresh = `${IMAGE_ID}.part-aaaaaa`;
    const stale = `${IMAGE_ID}.part-bbbbbb`;
    writeFileSync(path.join(staging.dir, fresh), 'x');
    writeFileSync(path.join(staging.dir, stale), 'x');
    utimesSync(path.join(staging.dir, stale), new Date(0), new Date(0));
    const asked: string[] = [];
    const removed = await staging.sweep(async (id) => {
      asked.push(id);
      return id === IMAGE_ID;
    });
    expect(removed.sort()).toEqual([OTHER_ID, `${OTHER_ID}.raw`, stale].sort());
    expect(list(staging.dir)).toEqual([IMAGE_ID, `${IMAGE_ID}.part-aaaaaa`, `${IMAGE_ID}.uc`, `${IMAGE_ID}.work`, `${OTHER_ID}x`, 'notes.txt'].sort());
    expect(asked.sort()).toEqual([IMAGE_ID, OTHER_ID].sort());
  });

  it("sweep() with a keep rule asks, for each entry of a live image, whether to keep it, telling staged data, a partial stage and a plugin's output apart", async () => {
    const staging = new StagingArea(tempDir());
    populate(staging.dir);
    writeFileSync(path.join(staging.dir, `${IMAGE_ID}.part-aaaaaa`), 'x');
    const asked: string[] = [];
    const removed = await staging.sweep(async (id) => id === IMAGE_ID, {
      keep: async (id, entry) => {
        asked.push(`${entry.kind} ${entry.name}`);
        return entry.kind !== 'derived';
      },
    });
    expect(asked.sort()).toEqual([`staged ${IMAGE_ID}`, `partial ${IMAGE_ID}.part-aaaaaa`, `derived ${IMAGE_ID}.uc`, `derived ${IMAGE_ID}.work`].sort());
    expect(removed.sort()).toEqual([OTHER_ID, `${OTHER_ID}.raw`, `${IMAGE_ID}.uc`, `${IMAGE_ID}.work`].sort());
    expect(list(staging.dir)).toEqual([IMAGE_ID, `${IMAGE_ID}.part-aaaaaa`, `${OTHER_ID}x`, 'notes.txt'].sort());
  });
});

describe('StagingArea.write without hashing', () => {
  it('counts bytes only when hash is false', async () => {
    const staging = new StagingArea(tempDir());
    const res = await staging.write(IMAGE_ID, chunked(Buffer.from('abcdef'), 2).source, { hash: false });
    expect(res).toMatchObject({ size: 6, checksum: '', hashValue: '' });
    expect(await readFile(staging.pathFor(IMAGE_ID), 'utf8')).toBe('abcdef');
  });
});
