import { chmodSync, createReadStream, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileStore, fileStoreFactory } from './file-store.js';
import { FaultyStore } from './faulty-store.js';
import { chunked, fixture, IMAGE_ID, list, MiB, stalling, tempDir, until } from './data.fixture.js';

const text = async (stream: NodeJS.ReadableStream) => {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString();
};

describe('file store', () => {
  it("adds data at 'file://<dir>/<id>' with size and digests, reads it back, deletes it", async () => {
    const fx = fixture(MiB + 3);
    const dir = tempDir();
    const store = createFileStore('fast', { dir, description: 'Fast disks', weight: 5 });
    expect(store).toMatchObject({ id: 'fast', type: 'file', readOnly: false, description: 'Fast disks', weight: 5 });
    expect(store.properties).toEqual({ data_dir: dir, chunk_size: 65536, thin_provisioning: false });
    const added = await store.add(IMAGE_ID, createReadStream(fx.file), { hashAlgo: 'sha512' });
    expect(added).toEqual({ location: `file://${dir}/${IMAGE_ID}`, size: MiB + 3, checksum: fx.md5, hashAlgo: 'sha512', hashValue: fx.sha512 });
    expect(await store.exists(added.location)).toBe(true);
    const { stream, size } = await store.get(added.location);
    const parts: Buffer[] = [];
    for await (const chunk of stream) parts.push(chunk as Buffer);
    expect(size).toBe(MiB + 3);
    expect(Buffer.concat(parts).equals(fx.data)).toBe(true);
    await store.delete(added.location);
    expect(await store.exists(added.location)).toBe(false);
    await expect(store.delete(added.location)).resolves.toBeUndefined();
    await expect(store.get(added.location)).rejects.toMatchObject({ code: 'GI_STORE_NOT_FOUND', status: 404 });
  });

  it('serves byte ranges (end inclusive, cut at the end of the data) with the total size', async () => {
    const store = createFileStore('s', { dir: tempDir() });
    const { location } = await store.add(IMAGE_ID, chunked(Buffer.from('0123456789')).source);
    const range = async (start: number, end?: number) => {
      const { stream, size } = await store.get(location, { start, end });
      return [await text(stream), size];
    };
    expect(await range(2, 5)).toEqual(['2345', 10]);
    expect(await range(7)).toEqual(['789', 10]);
    expect(await range(8, 100)).toEqual(['89', 10]);
    expect(await range(9, 9)).toEqual(['9', 10]);
    for (const [start, end] of [
      [10, undefined],
      [5, 4],
      [-1, 3],
    ] as const) {
      await expect(store.get(location, { start, end })).rejects.toMatchObject({ code: 'GI_STORE_RANGE_NOT_SATISFIABLE', status: 416 });
    }
  });

  it('answers a second add of the same image with GI_STORE_DUPLICATE (409)', async () => {
    const store = createFileStore('s', { dir: tempDir() });
    await store.add(IMAGE_ID, chunked(Buffer.from('a')).source);
    await expect(store.add(IMAGE_ID, chunked(Buffer.from('b')).source)).rejects.toMatchObject({ code: 'GI_STORE_DUPLICATE', status: 409 });
  });

  it('reads and deletes only locations inside its own directory', async () => {
    const store = createFileStore('s', { dir: tempDir() });
    for (const location of ['file:///etc/passwd', `file://${tempDir()}/${IMAGE_ID}`, 'http://example.com/x']) {
      await expect(store.get(location)).rejects.toMatchObject({ code: 'GI_STORE_BAD_LOCATION' });
      await expect(store.delete(location)).rejects.toMatchObject({ code: 'GI_STORE_BAD_LOCATION' });
    }
  });

  it('fails cleanly with GI_STORE_WRITE_DENIED (503) when its directory cannot be written', async () => {
    const dir = tempDir();
    const store = createFileStore('s', { dir });
    chmodSync(dir, 0o555);
    // root ignores modes: then make the directory unusable another way, by putting a file in its place.
    let blocked = true;
    try {
      writeFileSync(path.join(dir, 'probe'), '');
      blocked = false;
    } catch {
      /* the mode holds */
    }
    if (!blocked) {
      rmSync(dir, { recursive: true });
      writeFileSync(dir, 'not a directory');
    }
    await expect(store.add(IMAGE_ID, chunked(Buffer.alloc(MiB)).source)).rejects.toMatchObject({ code: 'GI_STORE_WRITE_DENIED', status: 503 });
    if (blocked) {
      chmodSync(dir, 0o755);
      expect(list(dir)).toEqual([]);
    }
  });

  it('removes partial data when the disk fills up mid-write', async () => {
    const dir = tempDir();
    const store = new FaultyStore(createFileStore('s', { dir }), { afterBytes: MiB + 10 });
    await expect(store.add(IMAGE_ID, chunked(Buffer.alloc(4 * MiB)).source)).rejects.toMatchObject({ code: 'GI_STORE_FULL', status: 413 });
    expect(list(dir)).toEqual([]);
  });

  it('aborts mid-write and keeps nothing', async () => {
    const dir = tempDir();
    const store = createFileStore('s', { dir });
    const upload = stalling(Buffer.alloc(MiB));
    const ctl = new AbortController();
    const adding = store.add(IMAGE_ID, upload.source, { signal: ctl.signal });
    await until(() => upload.state.reachedGate);
    expect(list(dir)).toHaveLength(1);
    ctl.abort();
    await expect(adding).rejects.toMatchObject({ code: 'GI_STORE_ABORTED' });
    expect(list(dir)).toEqual([]);
    upload.release();
  });
});

describe('file store: what a crash leaves', () => {
  const OTHER = '0b6c7c1f-4a9e-4f4e-8a5e-1f2d3c4b5a69';
  const leftovers = (dir: string) => {
    for (const n of [IMAGE_ID, `${IMAGE_ID}.part-0a1b2c`, `${OTHER}.part-3d4e5f`, 'notes.part-1', `${OTHER}`]) writeFileSync(path.join(dir, n), 'x');
  };

  it("discards an image's data and partial writes, and nothing of another image", async () => {
    const dir = tempDir();
    const store = createFileStore('fast', { dir });
    leftovers(dir);
    expect((await store.discard!(IMAGE_ID)).sort()).toEqual([IMAGE_ID, `${IMAGE_ID}.part-0a1b2c`].sort());
    expect(list(dir).sort()).toEqual([OTHER, `${OTHER}.part-3d4e5f`, 'notes.part-1'].sort());
    expect(await store.discard!(IMAGE_ID)).toEqual([]);
  });

  it('sweeps the partial writes of every image but those kept, and never complete data or other names', async () => {
    const dir = tempDir();
    const store = createFileStore('fast', { dir });
    leftovers(dir);
    const asked: string[] = [];
    const removed = await store.sweepPartials!(async (id) => (asked.push(id), id === OTHER));
    expect(removed).toEqual([`${IMAGE_ID}.part-0a1b2c`]);
    expect(asked.sort()).toEqual([IMAGE_ID, OTHER].sort());
    expect(list(dir).sort()).toEqual([IMAGE_ID, OTHER, `${OTHER}.part-3d4e5f`, 'notes.part-1'].sort());
    expect(await store.sweepPartials!(async () => false)).toEqual([`${OTHER}.part-3d4e5f`]);
  });
});

describe('fileStoreFactory', () => {
  it("builds a file store from its config group's Glance option names", () => {
    const dir = tempDir();
    const store = fileStoreFactory('cheap', { filesystem_store_datadir: dir, store_description: 'Cheap', weight: 1 });
    expect(store).toMatchObject({ id: 'cheap', type: 'file', description: 'Cheap', weight: 1 });
    expect(() => fileStoreFactory('cheap', {})).toThrow(expect.objectContaining({ code: 'GI_STORE_BAD_OPTIONS' }));
  });
});
