import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { OutputBudget, type Limits } from './budget.js';

const limits = (l: Partial<Limits>): Limits => ({ imageSizeCap: 2 ** 40, maxRatio: 0, maxOutputBytes: 0, inputBytes: 1000, ...l });

describe('OutputBudget', () => {
  it.each([
    ['image_size_cap', limits({ imageSizeCap: 5000 }), 5000],
    ['staging_quota', limits({ stagingBytesLimit: 4000, imageSizeCap: 5000 }), 4000],
    ['max_ratio', limits({ maxRatio: 3, stagingBytesLimit: 4000 }), 3000],
    ['max_output_bytes', limits({ maxRatio: 3, maxOutputBytes: 2000 }), 2000],
  ])('takes the tightest limit: %s', (guard, l, limit) => {
    expect(new OutputBudget('gzip', l)).toMatchObject({ guard, limit });
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
    const sink = new Writable({ write(c: Buffer, _e, done) { seen.push(c.length); done(); } });
    const source = Readable.from([Buffer.alloc(10), Buffer.alloc(10), Buffer.alloc(10), Buffer.alloc(10)]);
    await expect(pipeline(source, budget.meter(), sink)).rejects.toMatchObject({ code: 'GI_DECOMPRESS_TOO_LARGE', details: { limit: 25, guard: 'max_output_bytes' } });
    expect(seen).toEqual([10, 10]);
  });
});
