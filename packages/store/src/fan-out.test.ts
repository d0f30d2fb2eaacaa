import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { writeToStores } from './fan-out.js';
import { createFileStore } from './file-store.js';
import { FaultyStore } from './faulty-store.js';
import { chunked, fixture, IMAGE_ID, list, MiB, systemDigests, tempDir } from './data.fixture.js';
import { testStore } from './test-store.fixture.js';
import type { StoreDriver } from './types.js';

const fileStore = (id: string) => createFileStore(id, { dir: tempDir() });
const dirOf = (location: string) => location.slice('file://'.length).replace(/\/[^/]+$/, '');

describe('writeToStores', () => {
  it('writes one read to three stores; a failing one is reported, cleans up, and does not stop the others', async () => {
    const fx = fixture(5 * MiB + 123);
    const [a, c] = [fileStore('a'), fileStore('c')];
    const bDir = tempDir();
    const b = new FaultyStore(createFileStore('b', { dir: bDir }), { afterBytes: 2 * MiB + 7 });
    const done: Array<[string, boolean]> = [];
    const out = await writeToStores(createReadStream(fx.file, { highWaterMark: MiB }), [a, b, c], IMAGE_ID, { onStoreDone: (s, ok) => done.push([s, ok]) });

    expect(out.hashes).toEqual({ size: 5 * MiB + 123, checksum: fx.md5, hashAlgo: 'sha512', hashValue: fx.sha512 });
    expect(out.complete).toBe(true);
    expect(out.results.map((r) => [r.store, r.ok])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
    ]);
    expect(out.results[1]).toMatchObject({ error: { code: 'GI_STORE_FULL' } });
    for (const r of out.results) if (r.ok) expect(systemDigests(r.location.slice('file://'.length))).toEqual({ md5: fx.md5, sha512: fx.sha512 });
    expect(list(bDir)).toEqual([]);
    expect(done.sort()).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
    ]);
  });

  it('lets the slowest store set the pace: the source is never read far ahead of it', async () => {
    const chunk = 64 * 1024;
    const { source, state } = chunked(Buffer.alloc(40 * chunk, 7), chunk);
    let maxLead = 0;
    const slow = testStore('slow', {
      delayMs: 2,
      onChunk: (n) => {
        maxLead = Math.max(maxLead, state.pulled / chunk - n);
      },
    });
    const out = await writeToStores(source, [fileStore('fast'), slow], IMAGE_ID);
    expect(out.results.every((r) => r.ok)).toBe(true);
    expect(state.pulled).toBe(40 * chunk);
    expect(maxLead).toBeLessThanOrEqual(5);
  });

  it('tells each store the announced size, so it can choose how to write (one object or segments)', async () => {
    const seen: Array<number | undefined> = [];
    const spy = (id: string): StoreDriver => ({
      ...testStore(id),
      add: (imageId, source, opts) => {
        seen.push(opts?.expectedBytes);
        return testStore(id).add(imageId, source, opts);
      },
    });
    const out = await writeToStores(chunked(Buffer.alloc(3 * MiB)).source, [spy('a'), spy('b')], IMAGE_ID, { expectedBytes: 3 * MiB });
    expect(out.results.every((r) => r.ok)).toBe(true);
    expect(seen).toEqual([3 * MiB, 3 * MiB]);
  });

  it('with failFast stops every other store at the first failure and keeps nothing of them', async () => {
    const { source, state } = chunked(Buffer.alloc(16 * MiB), 256 * 1024);
    const [a, c] = [fileStore('a'), fileStore('c')];
    const b = new FaultyStore(fileStore('b'), { afterBytes: MiB });
    const out = await writeToStores(source, [a, b, c], IMAGE_ID, { failFast: true });
    expect(out.results.map((r) => (r.ok ? 'ok' : (r.error as { code: string }).code))).toEqual(['GI_STORE_ABORTED', 'GI_STORE_FULL', 'GI_STORE_ABORTED']);
    expect(out.complete).toBe(false);
    expect(out.hashes.checksum).toBe('');
    await new Promise((r) => setImmediate(r));
    expect(state.released).toBe(true);
    expect(state.pulled).toBeLessThanOrEqual(MiB + 5 * 256 * 1024);
    for (const store of [a, c]) expect(list(dirOf(await locationOf(store)))).toEqual([]);
  });

  it('stops reading once every store has failed, and says the digests are incomplete', async () => {
    const { source, state } = chunked(Buffer.alloc(16 * MiB), 256 * 1024);
    const stores = ['a', 'b'].map((id) => new FaultyStore(fileStore(id), { afterBytes: MiB }));
    const out = await writeToStores(source, stores, IMAGE_ID);
    expect(out.results.every((r) => !r.ok)).toBe(true);
    expect(out.complete).toBe(false);
    expect(state.pulled).toBeLessThanOrEqual(MiB + 5 * 256 * 1024);
  });

  it('rejects when the source passes image_size_cap, leaving nothing in any store', async () => {
    const stores = [fileStore('a'), fileStore('b')];
    const { source } = chunked(Buffer.alloc(8 * MiB), MiB);
    await expect(writeToStores(source, stores, IMAGE_ID, { maxBytes: 3 * MiB })).rejects.toMatchObject({ code: 'GI_STORE_TOO_LARGE', status: 413 });
    for (const store of stores) expect(list(dirOf(await locationOf(store)))).toEqual([]);
  });

  it('on abort rejects and deletes what stores had already finished', async () => {
    const fast = fileStore('fast');
    const ctl = new AbortController();
    const gated = testStore('gated', { gate: new Promise(() => undefined), onChunk: () => undefined });
    const writing = writeToStores(chunked(Buffer.alloc(MiB), 64 * 1024).source, [fast, gated], IMAGE_ID, {
      signal: ctl.signal,
      onStoreDone: (store, ok) => {
        if (store === 'fast' && ok) ctl.abort(new Error('task cancelled'));
      },
    });
    await expect(writing).rejects.toMatchObject({ code: 'GI_STORE_ABORTED', message: expect.stringContaining('task cancelled') });
    expect(list(dirOf(await locationOf(fast)))).toEqual([]);
  });

  it('only hashes when given no store, with the configured algorithm', async () => {
    const data = Buffer.from('just hashes');
    const out = await writeToStores(chunked(data, 3).source, [], IMAGE_ID, { hashAlgo: 'sha256' });
    expect(out).toEqual({
      hashes: {
        size: data.length,
        checksum: createHash('md5').update(data).digest('hex'),
        hashAlgo: 'sha256',
        hashValue: createHash('sha256').update(data).digest('hex'),
      },
      complete: true,
      results: [],
    });
  });
});

/** A store's directory, found from a location it would give. */
async function locationOf(store: StoreDriver) {
  const probe = await store.add('probe', chunked(Buffer.from('p')).source);
  await store.delete(probe.location);
  return probe.location;
}
