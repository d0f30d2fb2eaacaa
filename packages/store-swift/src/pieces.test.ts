import { describe, expect, it } from 'vitest';
import { Pieces } from './pieces.js';

async function* chunks(...sizes: number[]) {
  let n = 0;
  for (const size of sizes) yield Buffer.alloc(size, n++ % 256);
}

async function collect(p: Pieces, size: number): Promise<number[][]> {
  const out: number[][] = [];
  for (let piece = await p.next(size); piece; piece = await p.next(size)) {
    const lengths: number[] = [];
    for await (const c of piece) lengths.push(c.length);
    out.push(lengths);
  }
  return out;
}

describe('Pieces', () => {
  it('cuts a stream into pieces of at most `size` bytes, splitting chunks that straddle a boundary', async () => {
    expect(await collect(new Pieces(chunks(4, 4, 4)), 5)).toEqual([[4, 1], [3, 2], [2]]);
    expect(await collect(new Pieces(chunks(10)), 3)).toEqual([[3], [3], [3], [1]]);
  });

  it('gives no empty piece: none for an empty stream, none after an exact fit, empty chunks skipped', async () => {
    expect(await collect(new Pieces(chunks()), 5)).toEqual([]);
    expect(await collect(new Pieces(chunks(5, 5)), 5)).toEqual([[5], [5]]);
    expect(await collect(new Pieces(chunks(0, 3, 0)), 5)).toEqual([[3]]);
  });

  it('passes on the bytes in order, without copying', async () => {
    const source = Buffer.from('0123456789');
    const p = new Pieces(
      (async function* () {
        yield source;
      })(),
    );
    const first = await p.next(4);
    const parts: Buffer[] = [];
    for await (const c of first!) parts.push(c);
    expect(parts[0]!.buffer).toBe(source.buffer);
    const rest: Buffer[] = [];
    for await (const c of (await p.next(100))!) rest.push(c);
    expect(Buffer.concat([...parts, ...rest]).toString()).toBe('0123456789');
  });
});
