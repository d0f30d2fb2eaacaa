import { describe, expect, it } from 'vitest';
import { detect } from './detect.js';

const b = (...bytes: number[]) => Uint8Array.from(bytes);
const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

describe('detect', () => {
  it.each([
    ['gzip', b(0x1f, 0x8b, 0x08, 0, 0, 0)],
    ['zip', b(0x50, 0x4b, 0x03, 0x04, 20, 0)],
    ['zip', b(0x50, 0x4b, 0x05, 0x06, 0, 0)],
    ['lha', ascii('\x24\x00-lh5-')],
    ['zstd', b(0x28, 0xb5, 0x2f, 0xfd, 0x04)],
    ['zstd', b(0x5a, 0x2a, 0x4d, 0x18, 0, 0)],
    ['xz', b(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 4)],
    ['bzip2', ascii('BZh91AY&SY')],
    ['bzip2', ascii('BZh1\x17\x72\x45\x38\x50\x90')],
  ] as const)('recognises %s by its magic bytes', (format, head) => {
    expect(detect(head)).toBe(format);
  });

  it.each([
    ['plain text that starts like bzip2', ascii('BZh9 is not a block')],
    ['gzip with a method other than deflate', b(0x1f, 0x8b, 0x07, 0)],
    ['a qcow2 header', ascii('QFI\xfb\x00\x00\x00\x03')],
    ['zeros', new Uint8Array(10)],
    ['an empty file', new Uint8Array(0)],
    ['two bytes of a gzip magic', b(0x1f, 0x8b)],
  ])('passes %s as uncompressed', (_name, head) => {
    expect(detect(head)).toBeUndefined();
  });
});
