import { describe, expect, it } from 'vitest';
import { suggest } from './suggest.js';

describe('suggest', () => {
  it('finds close names, best first, and nothing for unrelated input', () => {
    expect(suggest('image_convertion', ['image_conversion', 'image_decompression', 'no_op'])).toEqual(['image_conversion']);
    expect(suggest('noop', ['no_op', 'inject_image_metadata'])).toEqual(['no_op']);
    expect(suggest('zzzzzz', ['no_op'])).toEqual([]);
  });
});
