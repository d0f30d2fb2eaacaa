import { giError } from './errors.js';
import { DEFAULT_HASH_ALGO } from './hash.js';
import { abortError, hashStream, measure } from './measure.js';
import { Split } from './split.js';
import type { HashResult, Source, StoreDriver, WriteOptions } from './types.js';

export type StoreOutcome = { store: string; ok: true; location: string } | { store: string; ok: false; error: unknown };

export interface FanOutResult {
  /** Size and digests of the source; `checksum` and `hashValue` are '' unless `complete`. */
  hashes: HashResult;
  /** The source was read to its end: always so when a store succeeded; not when every store failed early. */
  complete: boolean;
  /** One entry per store, in the order given. */
  results: StoreOutcome[];
}

export interface FanOutOptions extends WriteOptions {
  /** Stop every other store as soon as one fails (`all_stores_must_succeed`); stores already done stay done. */
  failFast?: boolean;
  /** Called as each store finishes, with its location when it succeeded. */
  onStoreDone?: (store: string, ok: boolean, location?: string) => void;
  /** Stops every store as `failFast` does, with this signal's reason (a store written another way failed); not a failure of the source. */
  stop?: AbortSignal;
}

/**
 * Writes one source to several stores from a single read: limits, progress and hashing happen once
 * on that read; each store gets the same chunks, the slowest setting the pace. A store that fails
 * is reported (and has cleaned up after itself) while the others go on. A failure of the source
 * itself (a limit, an abort, a read error) rejects, and nothing is left in any store.
 */
export async function writeToStores(source: Source, stores: readonly StoreDriver[], imageId: string, opts: FanOutOptions = {}): Promise<FanOutResult> {
  const { failFast, onStoreDone, stop, ...writeOpts } = opts;
  if (stores.length === 0) return { hashes: await hashStream(source, writeOpts), complete: true, results: [] };
  const measured = measure(source, writeOpts);
  const split = new Split(measured, stores.length);
  const stops = stores.map(() => new AbortController());
  const stopAll = () => stops.forEach((s) => s.abort(stop!.reason));
  if (stop?.aborted) stopAll();
  stop?.addEventListener('abort', stopAll, { once: true });

  const results = await Promise.all(
    stores.map(async (store, i): Promise<StoreOutcome> => {
      const signal = writeOpts.signal ? AbortSignal.any([writeOpts.signal, stops[i]!.signal]) : stops[i]!.signal;
      let outcome: StoreOutcome;
      try {
        const { location } = await store.add(imageId, split.branch(i), { signal, hashAlgo: writeOpts.hashAlgo, expectedBytes: writeOpts.expectedBytes });
        outcome = { store: store.id, ok: true, location };
      } catch (error) {
        outcome = { store: store.id, ok: false, error };
        if (failFast) {
          stops.forEach((stop, j) =>
            stop.abort(giError('GI_STORE_ABORTED', { what: `Writing to store '${stores[j]!.id}'`, reason: `store '${store.id}' failed` })),
          );
        }
      }
      split.detach(i);
      onStoreDone?.(store.id, outcome.ok, outcome.ok ? outcome.location : undefined);
      return outcome;
    }),
  );

  stop?.removeEventListener('abort', stopAll);
  const failure = split.sourceFailure ?? (writeOpts.signal?.aborted ? { error: abortError(writeOpts.signal) } : undefined);
  if (failure) {
    await Promise.all(results.map((r, i) => (r.ok ? stores[i]!.delete(r.location).catch(() => undefined) : undefined)));
    throw failure.error;
  }
  const hashes = await measured.result().catch(() => undefined);
  return {
    hashes: hashes ?? { size: 0, checksum: '', hashAlgo: writeOpts.hashAlgo ?? DEFAULT_HASH_ALGO, hashValue: '' },
    complete: hashes !== undefined,
    results,
  };
}
