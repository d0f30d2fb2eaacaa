import { describe, expect, it } from 'vitest';
import { PropertyChanges } from './property-changes.js';

describe('PropertyChanges', () => {
  it('undoes to the value before the first change, only where the value the import left is still there', () => {
    const c = new PropertyChanges();
    c.record({ changed: 'user', removed: 'user', taken: 'user' }, { added: 'p', changed: 'p', twice: '1', taken: 'p' });
    c.record({ changed: 'p', removed: 'user', twice: '1' }, { twice: '2', removed: undefined });
    expect(c.size).toBe(5);
    // Someone changed `taken` since: it is theirs now.
    expect(c.undo({ added: 'p', changed: 'p', twice: '2', taken: 'someone' })).toEqual({
      set: { changed: 'user', removed: 'user' },
      remove: ['added', 'twice'],
    });
    expect(c.size).toBe(0);
  });

  it('a property set back to what it was before needs nothing', () => {
    const c = new PropertyChanges();
    c.record({ a: 'x' }, { a: 'y' });
    c.record({ a: 'y' }, { a: 'x' });
    expect(c.undo({ a: 'x' })).toEqual({ set: {}, remove: [] });
  });
});
