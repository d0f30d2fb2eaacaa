import { describe, expect, it } from 'vitest';
import { TokenCache } from './token-cache.js';

const clock = () => {
  let t = 1_000_000;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
};

describe('TokenCache', () => {
  it('keeps an entry token_cache_time seconds', () => {
    const c = clock();
    const cache = new TokenCache<string>({ cacheTime: 300, maxEntries: 10, now: c.now });
    cache.set('tok', 'info', c.now() + 3_600_000);
    c.advance(299_000);
    expect(cache.get('tok')).toBe('info');
    c.advance(1_000);
    expect(cache.get('tok')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never past the token expiry', () => {
    const c = clock();
    const cache = new TokenCache<string>({ cacheTime: 300, maxEntries: 10, now: c.now });
    cache.set('tok', 'info', c.now() + 10_000);
    c.advance(10_000);
    expect(cache.get('tok')).toBeUndefined();
    cache.set('expired', 'info', c.now() - 1);
    expect(cache.size).toBe(0);
  });

  it('caches nothing with -1, and until the expiry with 0 (memcached time 0)', () => {
    const c = clock();
    const off = new TokenCache<string>({ cacheTime: -1, maxEntries: 10, now: c.now });
    off.set('tok', 'info', c.now() + 60_000);
    expect(off.get('tok')).toBeUndefined();
    const forever = new TokenCache<string>({ cacheTime: 0, maxEntries: 10, now: c.now });
    forever.set('tok', 'info', c.now() + 86_400_000);
    c.advance(86_399_000);
    expect(forever.get('tok')).toBe('info');
  });

  it('is bounded: the least recently used entry goes first', () => {
    const c = clock();
    const cache = new TokenCache<number>({ cacheTime: 300, maxEntries: 2, now: c.now });
    const later = c.now() + 3_600_000;
    cache.set('a', 1, later);
    cache.set('b', 2, later);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3, later);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.size]).toEqual([1, undefined, 3, 2]);
  });
});
