import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileWriter, IDLE_FLUSH_MS, SYNC_EVERY, WRITE_BATCH } from './file-writer.js';

const KiB = 1024;

/** A handle that records its calls and can write short or fail its sync. */
function fakeHandle(o: { short?: boolean; failSync?: boolean } = {}) {
  const data = Buffer.alloc(3 * SYNC_EVERY);
  const calls: string[] = [];
  let size = 0;
  const handle = {
    async writev(buffers: Buffer[], position: number) {
      let n = 0;
      for (const b of buffers) {
        // A short write takes half of the first buffer only, as a full disk or a signal can.
        const take = o.short && n === 0 && b.length > 1 ? Math.floor(b.length / 2) : b.length;
        b.copy(data, position + n, 0, take);
        n += take;
        if (take < b.length) break;
      }
      size = Math.max(size, position + n);
      calls.push(`writev ${n}`);
      return { bytesWritten: n, buffers };
    },
    async datasync() {
      calls.push(`datasync ${size}`);
      if (o.failSync) throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
    },
  };
  return { handle: handle as unknown as FileHandle, calls, bytes: () => data.subarray(0, size) };
}

describe('fileWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gi-writer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a chunk that only fills the batch with no promise, and one that completes it with the write', async () => {
    const { handle, calls } = fakeHandle();
    const w = fileWriter(handle);
    const answers = Array.from({ length: WRITE_BATCH / (64 * KiB) }, (_, i) => w.write(Buffer.alloc(64 * KiB, i)));
    expect(answers.slice(0, -1).every((a) => a === undefined)).toBe(true);
    expect(answers.at(-1)).toBeInstanceOf(Promise);
    await answers.at(-1);
    expect(calls).toEqual([`writev ${WRITE_BATCH}`]);
    await w.sync();
  });

  it('writes 64 KiB chunks in batches of WRITE_BATCH, in order, to a real file', async () => {
    const data = randomBytes(5 * WRITE_BATCH + 123);
    const file = path.join(dir, 'f');
    const handle = await open(file, 'w');
    const w = fileWriter(handle);
    for (let off = 0; off < data.length; off += 64 * KiB) await w.write(data.subarray(off, off + 64 * KiB));
    // The last full batch may still be in flight; the tail waits in the batch for sync().
    expect([4 * WRITE_BATCH, 5 * WRITE_BATCH]).toContain(w.written);
    await w.sync();
    await handle.close();
    expect(w.written).toBe(data.length);
    expect((await readFile(file)).equals(data)).toBe(true);
  });

  it('batches: one writev per WRITE_BATCH bytes of small chunks', async () => {
    const f = fakeHandle();
    const w = fileWriter(f.handle);
    for (let i = 0; i < (2 * WRITE_BATCH) / (64 * KiB); i++) await w.write(Buffer.alloc(64 * KiB, i));
    expect(f.calls.filter((c) => c.startsWith('writev'))).toEqual([`writev ${WRITE_BATCH}`, `writev ${WRITE_BATCH}`]);
  });

  it('writes a batch that is not full once the source pauses', async () => {
    const f = fakeHandle();
    const w = fileWriter(f.handle);
    await w.write(Buffer.alloc(100 * KiB, 1));
    await w.write(Buffer.alloc(50 * KiB, 2));
    expect(f.calls).toEqual([]);
    await new Promise((r) => setTimeout(r, IDLE_FLUSH_MS + 50));
    expect(f.calls).toEqual([`writev ${150 * KiB}`]);
    await w.write(Buffer.alloc(KiB, 3));
    await w.sync();
    expect(f.bytes().length).toBe(151 * KiB);
    expect(f.bytes()[150 * KiB]).toBe(3);
  });

  it('finishes a short write with the rest of the batch', async () => {
    const data = randomBytes(2 * WRITE_BATCH);
    const f = fakeHandle({ short: true });
    const w = fileWriter(f.handle);
    for (let off = 0; off < data.length; off += 100 * KiB) await w.write(data.subarray(off, off + 100 * KiB));
    await w.sync();
    expect(f.bytes().equals(data)).toBe(true);
  });

  it('tells onWritten, after each write, how many bytes from `at` it holds no more', async () => {
    const f = fakeHandle({ short: true });
    const written: number[] = [];
    const w = fileWriter(f.handle, { at: 5, onWritten: (n) => written.push(n) });
    for (let i = 0; i < 3; i++) await w.write(Buffer.alloc(WRITE_BATCH, i));
    expect(written.slice(0, 2)).toEqual([WRITE_BATCH, 2 * WRITE_BATCH]);
    await w.write(Buffer.alloc(10));
    await w.sync();
    expect(written).toEqual([WRITE_BATCH, 2 * WRITE_BATCH, 3 * WRITE_BATCH, 3 * WRITE_BATCH + 10]);
  });

  it('writes a full batch while the next one fills, and waits only for the write before it', async () => {
    // A disk whose writes end when the test says so.
    const ends: Array<() => void> = [];
    const handle = {
      async writev(buffers: Buffer[]) {
        await new Promise<void>((r) => ends.push(r));
        return { bytesWritten: buffers.reduce((n, b) => n + b.length, 0), buffers };
      },
      async datasync() {},
    } as unknown as FileHandle;
    const turn = () => new Promise((r) => setImmediate(r));
    const w = fileWriter(handle);
    await w.write(Buffer.alloc(WRITE_BATCH, 1));
    await turn();
    // The first batch is being written, and the writer already takes the next.
    expect(ends).toHaveLength(1);
    expect(w.written).toBe(0);
    let secondAnswered = false;
    const second = w.write(Buffer.alloc(WRITE_BATCH, 2))!.then(() => (secondAnswered = true));
    await turn();
    expect(secondAnswered).toBe(false);
    expect(ends).toHaveLength(1);
    ends.shift()!();
    await second;
    await turn();
    // One write in flight at most: the second batch's started once the first's ended.
    expect(w.written).toBe(WRITE_BATCH);
    expect(ends).toHaveLength(1);
    const synced = w.sync();
    ends.shift()!();
    await turn();
    ends.shift()?.();
    await synced;
    expect(w.written).toBe(2 * WRITE_BATCH);
  });

  it('fails on a write that failed while the next batch filled: the next full batch and the sync say so, nothing after it is written', async () => {
    const positions: number[] = [];
    const handle = {
      async writev(buffers: Buffer[], position: number) {
        positions.push(position);
        if (positions.length === 2) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        return { bytesWritten: buffers.reduce((n, b) => n + b.length, 0), buffers };
      },
      async datasync() {},
    } as unknown as FileHandle;
    const w = fileWriter(handle);
    let failedAt: number | undefined;
    for (let i = 0; i < 5 && failedAt === undefined; i++) {
      await w.write(Buffer.alloc(WRITE_BATCH, i))?.catch((e: { code?: string }) => {
        expect(e.code).toBe('ENOSPC');
        failedAt = i;
      });
    }
    // The second batch's write failed; the third batch's answer is where the source hears of it.
    expect(failedAt).toBe(2);
    await expect(w.sync()).rejects.toMatchObject({ code: 'ENOSPC' });
    await w.settle();
    expect(positions).toEqual([0, WRITE_BATCH]);
    expect(w.written).toBe(WRITE_BATCH);
  });

  it('continues at `at` and reports only bytes written before each sync began, in order', async () => {
    const f = fakeHandle();
    const durable: number[] = [];
    const w = fileWriter(f.handle, {
      at: 7,
      onSynced: async (n) => {
        durable.push(n);
      },
    });
    for (let i = 0; i < (2 * SYNC_EVERY) / WRITE_BATCH + 3; i++) await w.write(Buffer.alloc(WRITE_BATCH, 1));
    await w.sync();
    const total = 7 + 2 * SYNC_EVERY + 3 * WRITE_BATCH;
    expect(durable.at(-1)).toBe(total);
    // Background syncs ran during the writes, each recording no more than was written when it started.
    expect(durable.length).toBeGreaterThan(1);
    expect([...durable].sort((a, b) => a - b)).toEqual(durable);
    for (const n of durable.slice(0, -1)) expect(n).toBeLessThan(total);
  });

  it('fails the writer on a background sync that failed, and its final sync too', async () => {
    const f = fakeHandle({ failSync: true });
    const w = fileWriter(f.handle);
    const write = async () => {
      for (let i = 0; i < (3 * SYNC_EVERY) / WRITE_BATCH; i++) await w.write(Buffer.alloc(WRITE_BATCH));
    };
    await expect(write()).rejects.toThrow(/EIO/);
    await w.settle();
    await expect(w.sync()).rejects.toThrow(/EIO/);
  });
});
