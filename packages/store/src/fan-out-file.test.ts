import { createReadStream, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileToStores } from './fan-out-file.js';
import { createFileStore } from './file-store.js';
import { FaultyStore } from './faulty-store.js';
import { fixture, IMAGE_ID, list, MiB, tempDir } from './data.fixture.js';
import { testStore } from './test-store.fixture.js';
import type { StoreDriver } from './types.js';

const fileStore = (id: string, dir = tempDir()) => ({ dir, store: createFileStore(id, { dir }) });
/** A file store that cannot copy a local file: it is written from the read of the file. */
const reading = (store: StoreDriver): StoreDriver => ({ ...store, addFile: undefined });
/** A file store whose directory is gone: its copy fails. */
const broken = (id: string) => {
  const { dir, store } = fileStore(id);
  rmSync(dir, { recursive: true });
  return store;
};
/** A store whose copy runs until it is stopped. */
const copiesUntilStopped = (id: string): StoreDriver => ({
  ...testStore(id),
  addFile: (_imageId, _file, opts) => new Promise((_, reject) => opts?.signal?.addEventListener('abort', () => reject(opts.signal!.reason))),
});
const codes = (results: Awaited<ReturnType<typeof fileToStores>>) => results.map((r) => (r.ok ? 'ok' : (r.error as { code: string }).code));
const read = (file: string) => () => createReadStream(file, { highWaterMark: MiB });

describe('fileToStores', () => {
  it('gives each store that can copy a local file its own copy, and feeds the others from one read; outcomes in the order given', async () => {
    const fx = fixture(5 * MiB + 3);
    const [a, b, r] = [fileStore('a'), fileStore('b'), fileStore('r')];
    const done: string[] = [];
    const progress: number[] = [];
    const out = await fileToStores(fx.file, [a.store, reading(r.store), b.store], IMAGE_ID, read(fx.file), {
      expectedBytes: fx.data.length,
      onStoreDone: (s, ok) => done.push(`${s}:${ok}`),
      onProgress: (n) => progress.push(n),
    });
    expect(out.map((o) => [o.store, o.ok])).toEqual([
      ['a', true],
      ['r', true],
      ['b', true],
    ]);
    for (const { dir } of [a, b, r]) {
      const file = path.join(dir, IMAGE_ID);
      expect(readFileSync(file).equals(fx.data)).toBe(true);
      expect(statSync(file).ino).not.toBe(statSync(fx.file).ino);
    }
    expect(done.sort()).toEqual(['a:true', 'b:true', 'r:true']);
    expect(progress.at(-1)).toBe(fx.data.length);
  });

  it('reports the progress of the store furthest behind, copying or reading', async () => {
    const fx = fixture(2 * MiB);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // Copies that report 1 and 3 bytes, then wait until the reader is through.
    const copier = (id: string, at: number): StoreDriver => ({
      ...testStore(id),
      addFile: async (imageId, _file, opts) => {
        opts?.onProgress?.(at);
        await gate;
        return { location: `test://${id}/${imageId}` };
      },
    });
    const seen: number[] = [];
    const reader = testStore('r', { onChunk: (n) => n === 2 && release() });
    await fileToStores(fx.file, [copier('a', 1), copier('b', 3), reader], IMAGE_ID, read(fx.file), {
      expectedBytes: 2 * MiB,
      onProgress: (n) => seen.push(n),
    });
    expect(seen.slice(0, 2)).toEqual([0, 0]);
    expect(Math.max(...seen.slice(0, -1))).toBe(1);
    expect(seen.at(-1)).toBe(2 * MiB);
  });

  it('without failFast a store whose copy fails is reported and the others finish', async () => {
    const fx = fixture(MiB);
    const [a, c] = [fileStore('a'), fileStore('c')];
    const out = await fileToStores(fx.file, [a.store, broken('b'), c.store], IMAGE_ID, read(fx.file), { expectedBytes: MiB });
    expect(codes(out)).toEqual(['ok', 'GI_STORE_WRITE_DENIED', 'ok']);
    expect([list(a.dir), list(c.dir)]).toEqual([[IMAGE_ID], [IMAGE_ID]]);
  });

  it('with failFast a failing copy stops the other stores, copying or reading, which keep nothing', async () => {
    const fx = fixture(MiB);
    const gate = new Promise<void>(() => undefined);
    const out = await fileToStores(fx.file, [copiesUntilStopped('a'), broken('b'), testStore('r', { gate })], IMAGE_ID, read(fx.file), { failFast: true });
    expect(codes(out)).toEqual(['GI_STORE_ABORTED', 'GI_STORE_WRITE_DENIED', 'GI_STORE_ABORTED']);
  });

  it('with failFast a failing reader stops the copies', async () => {
    const fx = fixture(4 * MiB);
    const r = fileStore('r');
    const faulty = new FaultyStore(r.store, { afterBytes: MiB });
    const out = await fileToStores(fx.file, [copiesUntilStopped('a'), faulty], IMAGE_ID, read(fx.file), { failFast: true });
    expect(codes(out)).toEqual(['GI_STORE_ABORTED', 'GI_STORE_FULL']);
    expect(list(r.dir)).toEqual([]);
  });

  it('an abort rejects, and the copies already made are removed: nothing stays in any store', async () => {
    const fx = fixture(2 * MiB);
    const [a, b] = [fileStore('a'), fileStore('b')];
    const stop = new AbortController();
    const copied = new Set<string>();
    const writing = fileToStores(fx.file, [a.store, b.store, testStore('r', { gate: new Promise(() => undefined) })], IMAGE_ID, read(fx.file), {
      signal: stop.signal,
      onStoreDone: (s, ok) => {
        if (ok) copied.add(s);
        if (copied.size === 2) stop.abort(new Error('task cancelled'));
      },
    });
    await expect(writing).rejects.toMatchObject({ code: 'GI_STORE_ABORTED', message: expect.stringContaining('task cancelled') });
    expect([list(a.dir), list(b.dir)]).toEqual([[], []]);
  });
});
