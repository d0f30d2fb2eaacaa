import { describe, expect, it } from 'vitest';
import { median, percentileOf, spread } from './stats.mjs';

describe('percentileOf', () => {
  it('takes the nearest rank over every request of every window, in microseconds in and milliseconds out', () => {
    const oneEach = Array.from({ length: 100 }, (_, i) => [(i + 1) * 1000, 1]);
    expect(percentileOf(oneEach, 99)).toBe(99);
    expect(percentileOf(oneEach, 50)).toBe(50);
    expect(percentileOf(oneEach, 100)).toBe(100);
  });

  it('lets one slow window count for what its requests are, not for a whole window', () => {
    // 98 fast requests and 2 slow ones: the slow ones are more than 1 %.
    expect(
      percentileOf(
        [
          [2000, 98],
          [200_000, 2],
        ],
        99,
      ),
    ).toBe(200);
    // 99 fast and 1 slow (as a window of few requests that had one stall): the p99 is a fast one.
    expect(
      percentileOf(
        [
          [200_000, 1],
          [2000, 60],
          [3000, 39],
        ],
        99,
      ),
    ).toBe(3);
  });

  it('merges pairs given in any order, repeated values included', () => {
    const a = percentileOf(
      [
        [5000, 10],
        [1000, 80],
        [5000, 10],
      ],
      90,
    );
    const b = percentileOf(
      [
        [1000, 40],
        [5000, 20],
        [1000, 40],
      ],
      90,
    );
    expect(a).toBe(5);
    expect(b).toBe(5);
  });

  it('is NaN without any request', () => {
    expect(percentileOf([], 99)).toBeNaN();
  });
});

describe('median and spread', () => {
  it('are the middle sample and half the range relative to it', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(spread([0.9, 1, 1.1])).toBeCloseTo(0.1);
    expect(spread([5])).toBe(0);
  });
});
