import { describe, expect, it } from 'vitest';
import { HEAP_FLAGS, tuneHeap } from './heap-tuning.js';

describe('tuneHeap', () => {
  it('sets its flags when node was given none of them', () => {
    expect(tuneHeap(['--enable-source-maps'])).toEqual([...HEAP_FLAGS]);
  });

  it("leaves a flag the operator gave node, in either spelling, to the operator's value", () => {
    expect(tuneHeap(['--heap-growing-percent=50'])).toEqual([]);
    expect(tuneHeap(['--heap_growing_percent=50'])).toEqual([]);
  });
});
