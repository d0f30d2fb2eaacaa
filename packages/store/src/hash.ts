import { createHash, getHashes } from 'node:crypto';
import { giError } from './errors.js';
import type { HashResult } from './types.js';

export const DEFAULT_HASH_ALGO = 'sha512';

/**
 * Hashes one pass of image data. The byte path only calls `update` and awaits `digest`, so an
 * implementation that hashes in a worker thread (chunks handed over through shared memory) can
 * replace this one without touching the writers.
 */
export interface Hasher {
  /** May return a promise when the hasher needs the caller to wait (backpressure). */
  update(chunk: Buffer): void | Promise<void>;
  digest(): HashResult | Promise<HashResult>;
  /** Release resources when the data will not be read to its end. */
  dispose?(): void;
}

let available: string[] | undefined;

/** Checks `algo` once, up front, so a bad `hashing_algorithm` fails before any byte is written. */
export function checkHashAlgo(algo: string): string {
  available ??= getHashes();
  if (!available.includes(algo)) {
    throw giError('GI_STORE_BAD_HASH_ALGO', { algo, available: ['sha512', 'sha384', 'sha256', 'sha1', 'md5'].filter((a) => available!.includes(a)) });
  }
  return algo;
}

/** md5 (`checksum`) and `algo` (`os_hash_value`) over the same bytes, on this thread. */
export function createHasher(algo: string = DEFAULT_HASH_ALGO): Hasher {
  const hashAlgo = checkHashAlgo(algo);
  const md5 = createHash('md5');
  const other = createHash(hashAlgo);
  let size = 0;
  return {
    update(chunk) {
      size += chunk.length;
      md5.update(chunk);
      other.update(chunk);
    },
    digest: () => ({ size, checksum: md5.digest('hex'), hashAlgo, hashValue: other.digest('hex') }),
  };
}
