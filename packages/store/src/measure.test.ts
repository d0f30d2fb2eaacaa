import { createReadStream } from 'node:fs';
import { createHash } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { hashStream, measure } from './measure.js';
import { chunked, fixture, MiB, stalling } from './data.fixture.js';

describe('hashStream', () => {
  it('gives the size and the digests md5sum and sha512sum give', async () => {
    const fx = fixture(3 * MiB + 17);
    const result = await hashStream(createReadStream(fx.file));
    expect(result).toEqual({ size: 3 * MiB + 17, checksum: fx.md5, hashAlgo: 'sha512', hashValue: fx.sha512 });
  });

  it('uses the configured hashing_algorithm for os_hash_value, md5 for checksum', async () => {
    const data = Buffer.from('glance');
    const result = await hashStream(chunked(data, 2).source, { hashAlgo: 'sha256' });
    expect(result.hashAlgo).toBe('sha256');
    expect(result.hashValue).toBe(createHash('sha256').update(data).digest('hex'));
    expect(result.checksum).toBe(createHash('md5').update(data).digest('hex'));
  });

  it('refuses an unknown algorithm before reading anything', () => {
    const { source, state } = chunked(Buffer.alloc(10));
    expect(() => measure(source, { hashAlgo: 'sha999' })).toThrow(expect.objectContaining({ code: 'GI_STORE_BAD_HASH_ALGO' }));
    expect(state.pulled).toBe(0);
  });
});

describe('measure', () => {
  it('stops a source longer than maxBytes as soon as it passes the cap', async () => {
    const { source, state } = chunked(Buffer.alloc(10 * MiB), 64 * 1024);
    await expect(hashStream(source, { maxBytes: MiB })).rejects.toMatchObject({ code: 'GI_STORE_TOO_LARGE', status: 413 });
    expect(state.pulled).toBe(MiB + 64 * 1024);
    expect(state.released).toBe(true);
  });

  it('accepts a source of exactly maxBytes', async () => {
    await expect(hashStream(chunked(Buffer.alloc(MiB)).source, { maxBytes: MiB })).resolves.toMatchObject({ size: MiB });
  });

  it('fails a short source and a long one against expectedBytes, the long one without reading on', async () => {
    await expect(hashStream(chunked(Buffer.alloc(100)).source, { expectedBytes: 101 })).rejects.toMatchObject({
      code: 'GI_STORE_SIZE_MISMATCH',
      details: { expected: 101, actual: 100, longer: false },
    });
    const { source, state } = chunked(Buffer.alloc(MiB), 1000);
    await expect(hashStream(source, { expectedBytes: 2500 })).rejects.toMatchObject({
      code: 'GI_STORE_SIZE_MISMATCH',
      details: { expected: 2500, actual: 3000, longer: true },
    });
    expect(state.pulled).toBe(3000);
    await expect(hashStream(chunked(Buffer.alloc(100)).source, { expectedBytes: 100 })).resolves.toMatchObject({ size: 100 });
  });

  it('aborts a stalled source at once and releases it', async () => {
    const stalled = stalling(Buffer.alloc(10));
    const ctl = new AbortController();
    const done = hashStream(stalled.source, { signal: ctl.signal });
    setTimeout(() => ctl.abort(new Error('client went away')), 20);
    await expect(done).rejects.toMatchObject({ code: 'GI_STORE_ABORTED', message: expect.stringContaining('client went away') });
    stalled.release();
  });

  it('listens for an abort once per read, not once per chunk, and stops listening at its end', async () => {
    const ctl = new AbortController();
    let most = 0;
    const measured = measure(chunked(Buffer.alloc(1000), 10).source, { signal: ctl.signal });
    for await (const chunk of measured) {
      void chunk;
      most = Math.max(most, getEventListeners(ctl.signal, 'abort').length);
    }
    expect(most).toBe(1);
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
  });

  it('stops at the next read when the abort comes while a chunk is being written', async () => {
    const ctl = new AbortController();
    const measured = measure(chunked(Buffer.alloc(100), 10).source, { signal: ctl.signal });
    const read = async () => {
      for await (const chunk of measured) {
        void chunk;
        ctl.abort(new Error('client went away'));
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await expect(read()).rejects.toMatchObject({ code: 'GI_STORE_ABORTED' });
    expect(getEventListeners(ctl.signal, 'abort')).toHaveLength(0);
  });

  it('reports progress as bytes arrive', async () => {
    const seen: number[] = [];
    await hashStream(chunked(Buffer.alloc(250), 100).source, { onProgress: (n) => seen.push(n) });
    expect(seen).toEqual([100, 200, 250]);
  });

  it('tells a broken source from a store failure', async () => {
    async function* broken() {
      yield Buffer.from('x');
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }
    await expect(hashStream(broken())).rejects.toMatchObject({ code: 'GI_STORE_SOURCE_FAILED', cause: { code: 'ECONNRESET' } });
    async function* strings() {
      yield 'text';
    }
    await expect(hashStream(strings() as never)).rejects.toThrow(TypeError);
  });

  it('can be read only once and has no digest before its end', async () => {
    const measured = measure(chunked(Buffer.alloc(10)).source);
    await expect(measured.result()).rejects.toThrow(/not read to its end/);
    for await (const chunk of measured) void chunk;
    await expect(measured.result()).resolves.toMatchObject({ size: 10 });
    await expect(
      (async () => {
        for await (const chunk of measured) void chunk;
      })(),
    ).rejects.toThrow(/only once/);
  });

  it('does not hash a measured source again; its result is the upstream digest', async () => {
    const upstream = measure(chunked(Buffer.from('once')).source);
    const again = measure(upstream, { hashAlgo: 'not-an-algorithm', maxBytes: 4 });
    for await (const chunk of again) void chunk;
    await expect(again.result()).resolves.toEqual(await upstream.result());
  });
});
