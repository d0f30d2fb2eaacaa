import { describe, expect, it } from 'vitest';
import { progressParser } from './progress.js';

describe('progressParser', () => {
  it('reads whole percents from qemu-img -p output split anywhere, the latest of each piece', () => {
    const seen: number[] = [];
    const feed = progressParser((p) => seen.push(p));
    for (const piece of ['    (0.00/100%)\r    (3.1', '2/100%)\r    (3.50/100%)\r', '    (50.00/10', '0%)\r', '    (75.00/100%)\r    (100.00/100%)\r\n'])
      feed(piece);
    expect(seen).toEqual([0, 3, 50, 100]);
  });

  it('ignores anything that is not progress', () => {
    const seen: number[] = [];
    const feed = progressParser((p) => seen.push(p));
    feed('qemu-img: warning (x/100%)\n(250.00/100%)\r');
    expect(seen).toEqual([]);
  });
});
