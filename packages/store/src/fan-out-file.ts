import { giError } from './errors.js';
import { writeToStores, type FanOutOptions, type StoreOutcome } from './fan-out.js';
import { abortError } from './measure.js';
import type { Source, StoreDriver } from './types.js';

/**
 * Writes a complete local file, whose hashes the caller already has, to several stores at once, each
 * the cheapest way it offers: a store with `addFile` gets a copy the kernel makes, all such copies in
 * parallel; the other stores are fed from one read of the file (`read`, through writeToStores, not
 * hashed again). The contract is writeToStores': one outcome per store in the order given; a store
 * that fails is reported and has cleaned up after itself; `failFast` stops the other stores, of
 * either kind, when one fails; a failure of the source (for the stores that read it) or an abort
 * rejects, and nothing is left in any store.
 */
export async function fileToStores(
  file: string,
  stores: readonly StoreDriver[],
  imageId: string,
  read: () => Source,
  opts: FanOutOptions = {},
): Promise<StoreOutcome[]> {
  const { failFast, onStoreDone, signal, expectedBytes } = opts;
  const stop = new AbortController();
  const done = (store: string, ok: boolean, location?: string) => {
    if (!ok && failFast && !stop.signal.aborted) {
      stop.abort(giError('GI_STORE_ABORTED', { what: 'Writing to the other stores', reason: `store '${store}' failed` }));
    }
    onStoreDone?.(store, ok, location);
  };
  const copiers = stores.filter((s) => s.addFile);
  const readers = stores.filter((s) => !s.addFile);
  const storeSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  // Progress is that of the store furthest behind: each copy's, and the read's (whose slowest store it follows).
  const copiedBytes = copiers.map(() => 0);
  let readBytes = readers.length ? 0 : Infinity;
  const progress = opts.onProgress && (() => opts.onProgress!(Math.min(readBytes, ...copiedBytes)));

  const copying = Promise.all(
    copiers.map(async (store, i): Promise<StoreOutcome> => {
      let outcome: StoreOutcome;
      const onProgress = (n: number) => {
        copiedBytes[i] = n;
        progress?.();
      };
      try {
        const { location } = await store.addFile!(imageId, file, {
          signal: storeSignal,
          ...(expectedBytes !== undefined ? { expectedBytes } : {}),
          ...(progress ? { onProgress } : {}),
        });
        outcome = { store: store.id, ok: true, location };
      } catch (error) {
        outcome = { store: store.id, ok: false, error };
      }
      // A store done (or failed) no longer holds the progress back.
      copiedBytes[i] = Infinity;
      done(store.id, outcome.ok, outcome.ok ? outcome.location : undefined);
      return outcome;
    }),
  );
  const onReadProgress = (n: number) => {
    readBytes = n;
    progress?.();
  };
  const reading = readers.length
    ? writeToStores(read(), readers, imageId, {
        ...opts,
        hash: false,
        onStoreDone: done,
        stop: stop.signal,
        ...(progress ? { onProgress: onReadProgress } : {}),
      })
    : undefined;

  let failure: { error: unknown } | undefined;
  const [copied, written = []] = await Promise.all([
    copying,
    reading?.then(
      (r) => r.results,
      (error: unknown) => void (failure = { error }),
    ),
  ]);
  if (!failure && signal?.aborted) failure = { error: abortError(signal) };
  if (failure) {
    await Promise.all(copied.map((r, i) => (r.ok ? copiers[i]!.delete(r.location).catch(() => undefined) : undefined)));
    throw failure.error;
  }
  if (expectedBytes !== undefined) opts.onProgress?.(expectedBytes);
  const results = new Map([...copied, ...written].map((r) => [r.store, r]));
  return stores.map((s) => results.get(s.id)!);
}
