import { describe, expect, it } from 'vitest';
import { coalesce } from './coalesce.js';

const collect = async (source: AsyncIterable<Buffer>) => {
  const out: Buffer[] = [];
  for await (const c of source) out.push(c);
  return out;
};

async function* chunks(sizes: number[]) {
  let n = 0;
  for (const size of sizes) yield Buffer.alloc(size, n++);
}

describe('coalesce', () => {
  it('joins small chunks up to the size, passes large ones whole, keeps every byte in order', async () => {
    const sizes = [3, 4, 5, 20, 1, 1];
    const out = await collect(coalesce(chunks(sizes), 10));
    expect(out.map((c) => c.length)).toEqual([12, 20, 2]);
    expect(Buffer.concat(out)).toEqual(Buffer.concat(await collect(chunks(sizes))));
  });

  it('releases its source when the reader stops early', async () => {
    let released = false;
    async function* source() {
      try {
        for (;;) yield Buffer.alloc(4);
      } finally {
        released = true;
      }
    }
    for await (const c of coalesce(source(), 8)) {
      expect(c.length).toBe(8);
      break;
    }
    expect(released).toBe(true);
  });
});
