import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { OutputBudget, RATIO_FLOOR, type Limits } from './budget.js';

const limits = (l: Partial<Limits>): Limits => ({ imageSizeCap: 2 ** 40, maxRatio: 0, maxOutputBytes: 0, inputBytes: 1000, ...l });

describe('OutputBudget', () => {
  it.each([
    ['image_size_cap', limits({ imageSizeCap: 5000 }), 5000],
    ['staging_quota', limits({ stagingBytesLimit: 4000, imageSizeCap: 5000 }), 4000],
    ['max_ratio', limits({ maxRatio: 3, inputBytes: 8 << 20, stagingBytesLimit: 32 << 20 }), 24 << 20],
    ['max_output_bytes', limits({ maxRatio: 3, maxOutputBytes: 2000 }), 2000],
  ])('takes the tightest limit: %s', (guard, l, limit) => {
    expect(new OutputBudget('gzip', l)).toMatchObject({ guard, limit });
  });

  it('lets the ratio guard allow RATIO_FLOOR (16 MiB) whatever the ratio: a blank qcow2 expands 472:1', () => {
    expect(new OutputBudget('gzip', limits({ maxRatio: 100, inputBytes: 417 }))).toMatchObject({ guard: 'max_ratio', limit: RATIO_FLOOR });
    expect(new OutputBudget('gzip', limits({ maxRatio: 100, inputBytes: 417, imageSizeCap: 1 << 20 }))).toMatchObject({
      guard: 'image_size_cap',
      limit: 1 << 20,
    });
    expect(RATIO_FLOOR).toBe(16 * 1024 * 1024);
  });

  it('ignores ratio and byte limits set to 0, and a missing staging quota', () => {
    expect(new OutputBudget('gzip', limits({ imageSizeCap: 10 }))).toMatchObject({ guard: 'image_size_cap', limit: 10 });
  });

  it('allows exactly the limit and refuses one byte more', () => {
    const budget = new OutputBudget('xz', limits({ maxOutputBytes: 10 }));
    budget.take(10);
    expect(() => budget.check(1)).toThrow(expect.objectContaining({ code: 'GI_DECOMPRESS_TOO_LARGE' }));
    expect(budget.used).toBe(10);
  });

  it('stops a stream at the limit, without passing on the chunk that crossed it', async () => {
    const budget = new OutputBudget('gzip', limits({ maxOutputBytes: 25 }));
    const seen: number[] = [];
    const sink = new Writable({
      write(c: Buffer, _e, done) {
        seen.push(c.length);
        done();
      },
    });
    const source = Readable.from([Buffer.alloc(10), Buffer.alloc(10), Buffer.alloc(10), Buffer.alloc(10)]);
    await expect(pipeline(source, budget.meter(), sink)).rejects.toMatchObject({
      code: 'GI_DECOMPRESS_TOO_LARGE',
      details: { limit: 25, guard: 'max_output_bytes' },
    });
    expect(seen).toEqual([10, 10]);
  });
});
