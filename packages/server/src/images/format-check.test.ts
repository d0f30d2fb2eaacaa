import { describe, expect, it } from 'vitest';
import { compressionOf } from './format-check.js';

describe('compressionOf', () => {
  it('knows the compressions the decompression plugin handles, as strictly as it does', () => {
    expect(compressionOf(Buffer.from([0x1f, 0x8b, 0x08, 0]))).toBe('gzip');
    expect(compressionOf(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe('zstd');
    expect(compressionOf(Buffer.from([0x5e, 0x2a, 0x4d, 0x18, 3, 0, 0, 0]))).toBe('zstd');
    expect(compressionOf(Buffer.from('BZh91AY&SY', 'latin1'))).toBe('bzip2');
    expect(compressionOf(Buffer.from('BZh9 is only text...', 'latin1'))).toBeUndefined();
    expect(compressionOf(Buffer.from('QFI\xfb', 'latin1'))).toBeUndefined();
  });
});
