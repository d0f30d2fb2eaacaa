import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Head, tap } from './tap.js';

describe('tap', () => {
  it('passes every chunk through in order, after showing it to the looker', async () => {
    const seen: string[] = [];
    const out: string[] = [];
    for await (const c of tap(Readable.from([Buffer.from('ab'), Buffer.from('cd'), Buffer.from('e')]), (c) => seen.push(c.toString()))) out.push(c.toString());
    expect(out).toEqual(['ab', 'cd', 'e']);
    expect(seen).toEqual(['ab', 'cd', 'e']);
  });

  it('ends the source when the reader stops early', async () => {
    const source = new Readable({ read() {} });
    source.push(Buffer.from('one'));
    for await (const c of tap(source, () => undefined)) {
      expect(c.toString()).toBe('one');
      break;
    }
    expect(source.destroyed).toBe(true);
  });

  it('ends the source and fails the read when the looker throws', async () => {
    const source = new Readable({ read() {} });
    source.push(Buffer.from('bad'));
    const read = async () => {
      for await (const c of tap(source, () => {
        throw new Error('refused');
      }))
        void c;
    };
    await expect(read()).rejects.toThrow('refused');
    await expect.poll(() => source.destroyed).toBe(true);
  });
});

describe('Head', () => {
  it('keeps the first bytes across chunks', () => {
    const h = new Head(4);
    for (const c of ['ab', 'cde', 'fg']) h.push(Buffer.from(c));
    expect(h.bytes.toString()).toBe('abcd');
  });
});
