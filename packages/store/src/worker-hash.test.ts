import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createHasher } from './hash.js';
import { createWorkerHasher, hashSlotsInUse, SPARE_SLOTS } from './worker-hash.js';

describe('createWorkerHasher', () => {
  it('gives the digests of the inline hasher, whatever the chunk sizes, in order', async () => {
    const data = randomBytes(23 * 1024 * 1024 + 7);
    const sizes = [1, 4096, 1024 * 1024, 3 * 1024 * 1024 + 5, 65536];
    const w = createWorkerHasher('sha512');
    const waits: Array<void | Promise<void>> = [];
    for (let off = 0, i = 0; off < data.length; i++) {
      const n = sizes[i % sizes.length]!;
      waits.push(w.update(data.subarray(off, off + n)));
      off += n;
    }
    const got = await w.digest();
    const inline = createHasher('sha512');
    inline.update(data);
    expect(got).toEqual(await inline.digest());
    expect(got.checksum).toBe(createHash('md5').update(data).digest('hex'));
    expect(waits.some((p) => p instanceof Promise)).toBe(true);
  });

  it('serves several hashers at once from one pair of workers', async () => {
    const a = randomBytes(5 * 1024 * 1024);
    const b = randomBytes(7 * 1024 * 1024);
    const [ha, hb] = [createWorkerHasher('sha256'), createWorkerHasher('sha512')];
    for (let off = 0; off < b.length; off += 512 * 1024) {
      if (off < a.length) await ha.update(a.subarray(off, off + 512 * 1024));
      await hb.update(b.subarray(off, off + 512 * 1024));
    }
    const [da, db] = await Promise.all([ha.digest(), hb.digest()]);
    expect(da.hashValue).toBe(createHash('sha256').update(a).digest('hex'));
    expect(db.hashValue).toBe(createHash('sha512').update(b).digest('hex'));
  });

  it('readInto: bytes read straight into the slots, mixed with update, give the digests of the data in order', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 123);
    const w = createWorkerHasher('sha512');
    const asked: number[] = [];
    let off = 0;
    await w.update(data.subarray(0, 1000));
    off = 1000;
    while (off < data.length) {
      // Reads of uneven sizes, as a file read can return fewer bytes than asked.
      const n = await w.readInto(async (into) => {
        asked.push(into.length);
        const k = Math.min(into.length, 300_001, data.length - off);
        data.copy(into, 0, off, off + k);
        return k;
      });
      off += n;
      if (off < data.length && off % 3 === 0) await w.update(data.subarray(off, ++off));
    }
    expect(await w.readInto(async () => 0)).toBe(0);
    const got = await w.digest();
    expect(got.size).toBe(data.length);
    expect(got.checksum).toBe(createHash('md5').update(data).digest('hex'));
    expect(got.hashValue).toBe(createHash('sha512').update(data).digest('hex'));
    // It is given the room left in the current 1 MiB slot, never more.
    expect(Math.max(...asked)).toBe(1024 * 1024);
    expect(asked).toContain(1024 * 1024 - 1000);
  });

  it('readInto: a hasher dropped while its read is in flight keeps that slot from every other hasher until the read ends', async () => {
    const w = createWorkerHasher('sha512');
    let target: Buffer | undefined;
    let finishRead: (n: number) => void = () => undefined;
    const pending = w.readInto((into) => {
      target = into;
      return new Promise<number>((resolve) => (finishRead = resolve));
    });
    await new Promise((r) => setTimeout(r, 10));
    w.dispose();
    // Other hashers take every slot there is while the read still writes into its own.
    const others = Array.from({ length: SPARE_SLOTS + 2 }, () => createWorkerHasher('sha512'));
    const data = others.map(() => randomBytes(3 * 1024 * 1024));
    const filling = Promise.all(
      others.map(async (h, i) => {
        for (let off = 0; off < data[i]!.length; off += 256 * 1024) await h.update(data[i]!.subarray(off, off + 256 * 1024));
      }),
    );
    await new Promise((r) => setTimeout(r, 50));
    target!.fill(0xff);
    finishRead(target!.length);
    expect(await pending).toBe(1024 * 1024);
    await filling;
    const digests = await Promise.all(others.map((h) => h.digest()));
    expect(digests.map((d) => d.hashValue)).toEqual(data.map((d) => createHash('sha512').update(d).digest('hex')));
  });

  it.runIf(process.platform === 'linux')('hashes on two threads of lower priority than the rest of the process', async () => {
    const niceness = () => readdirSync('/proc/self/task').map((t) => Number(readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
    const w = createWorkerHasher('sha512');
    await w.update(randomBytes(1024));
    await w.digest();
    const all = niceness();
    const own = Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[16]);
    // A test run already niced to 4 or more cannot tell its hashing threads apart.
    if (own < 4) expect(all.filter((n) => n !== own)).toEqual([4, 4]);
  });
});

describe('the hashing slots shared by all worker hashers', () => {
  it('caps the memory of many hashers at once at one slot each plus the spare ones, and frees it after', async () => {
    const data = Array.from({ length: 8 }, () => randomBytes(6 * 1024 * 1024 + 3));
    const hashers = data.map(() => createWorkerHasher('sha512'));
    const disposed = createWorkerHasher('sha512');
    await disposed.update(randomBytes(3 * 1024 * 1024));
    disposed.dispose();
    let most = 0;
    await Promise.all(
      hashers.map(async (h, i) => {
        for (let off = 0; off < data[i]!.length; off += 64 * 1024) {
          await h.update(data[i]!.subarray(off, off + 64 * 1024));
          most = Math.max(most, hashSlotsInUse());
        }
      }),
    );
    const got = await Promise.all(hashers.map((h) => h.digest()));
    expect(got.map((d) => d.hashValue)).toEqual(data.map((d) => createHash('sha512').update(d).digest('hex')));
    expect(got.map((d) => d.checksum)).toEqual(data.map((d) => createHash('md5').update(d).digest('hex')));
    expect(most).toBeLessThanOrEqual(8 + SPARE_SLOTS);
    // What the workers still hash comes back later; then only the spare slots stay.
    await expect.poll(hashSlotsInUse).toBeLessThanOrEqual(SPARE_SLOTS);
  });
});
