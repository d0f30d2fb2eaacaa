import { afterAll, describe, expect, it } from 'vitest';
import { compressors, diskData, removeTmp } from './compressed.fixture.js';
import { ZstdFrames, type FramePiece } from './zstd.js';

const bytes = (pieces: FramePiece[]) => Buffer.concat(pieces.filter((p): p is Uint8Array => p instanceof Uint8Array));
const ends = (pieces: FramePiece[]) => pieces.filter((p) => !(p instanceof Uint8Array));

afterAll(removeTmp);

describe('ZstdFrames', () => {
  const a = compressors.zstd(diskData(200_000, 1));
  const b = compressors.zstd(diskData(100_000, 2));
  const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 0xaa, 0xbb]);
  const input = Buffer.concat([skippable, a, skippable, b]);

  it.each([1, 7, 4096, input.length])('cuts frames apart and drops skippable ones, fed %i bytes at a time', (size) => {
    const frames = new ZstdFrames();
    const pieces: FramePiece[] = [];
    for (let i = 0; i < input.length; i += size) pieces.push(...frames.split(input.subarray(i, i + size)));
    expect(bytes(pieces)).toEqual(Buffer.concat([a, b]));
    expect(ends(pieces)).toEqual([
      { end: true, checksum: a.readUInt32LE(a.length - 4) },
      { end: true, checksum: b.readUInt32LE(b.length - 4) },
    ]);
    const cut = bytes(pieces.slice(0, pieces.indexOf(ends(pieces)[0]!)));
    expect(cut).toEqual(a);
    expect(frames.atBoundary).toBe(true);
  });

  it('knows when the input stops inside a frame', () => {
    const frames = new ZstdFrames();
    frames.split(a.subarray(0, a.length - 1));
    expect(frames.atBoundary).toBe(false);
  });

  it.each([
    ['a dictionary id', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x01, 0x50, 0x07]), 'GI_DECOMPRESS_CORRUPT'],
    ['the reserved descriptor bit', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x08, 0x50]), 'GI_DECOMPRESS_CORRUPT'],
    ['the reserved block type', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50, 0x07, 0x00, 0x00]), 'GI_DECOMPRESS_CORRUPT'],
    ['a 2 GiB single-segment frame', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0, 0, 0, 0, 0x80]), 'GI_DECOMPRESS_MEMORY'],
    ['something else after a frame', Buffer.concat([a, Buffer.from('trailing garbage')]), 'GI_DECOMPRESS_CORRUPT'],
  ])('refuses a frame with %s', (_name, data, code) => {
    expect(() => new ZstdFrames().split(data)).toThrow(expect.objectContaining({ code }));
  });

  it('accepts the largest window zstd -d allows by default (128 MiB)', () => {
    expect(() => new ZstdFrames().split(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 17 << 3]))).not.toThrow();
  });
});
