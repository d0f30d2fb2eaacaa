import { createHash } from 'node:crypto';

export interface TokenCacheOptions {
  /** keystonemiddleware's token_cache_time in seconds: -1 caches nothing, 0 keeps an entry until the token expires. */
  readonly cacheTime: number;
  /** Entries kept at most; the least recently used goes first. */
  readonly maxEntries: number;
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly until: number;
}

/**
 * Validated tokens, per process. An entry lives `cacheTime` seconds but never past the token's own
 * expiry, so an expired token is always asked about again. Keys are SHA-256 digests of the tokens (as
 * keystonemiddleware keys its cache), so the map holds no usable token.
 */
export class TokenCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly now: () => number;

  constructor(private readonly o: TokenCacheOptions) {
    this.now = o.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(token: string): V | undefined {
    const key = digest(token);
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.until <= this.now()) return undefined;
    this.entries.set(key, e);
    return e.value;
  }

  /** Keep `value` for `token`, which Keystone says expires at `expiresAt` (ms since the epoch). */
  set(token: string, value: V, expiresAt: number): void {
    if (this.o.cacheTime < 0) return;
    const until = this.o.cacheTime === 0 ? expiresAt : Math.min(this.now() + this.o.cacheTime * 1000, expiresAt);
    if (until <= this.now()) return;
    const key = digest(token);
    this.entries.delete(key);
    while (this.entries.size > 0 && this.entries.size >= this.o.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until });
  }

  clear(): void {
    this.entries.clear();
  }
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
