import { isGlanceImportError, reasonOf } from '@glance-import/errors';
import { giError } from './errors.js';
import { checkHashAlgo, createHasher, DEFAULT_HASH_ALGO, type Hasher } from './hash.js';
import { createWorkerHasher } from './worker-hash.js';
import type { HashResult, Source, WriteOptions } from './types.js';

// A global symbol, so a measured source is recognised across duplicated copies of this package.
const MEASURED = Symbol.for('@glance-import/store.measured');

/** Image data that enforces limits, honours an abort signal and hashes as it is read. */
export interface Measured extends AsyncIterable<Buffer> {
  readonly [MEASURED]: true;
  /** Size and digests of the whole source; rejects unless it was read to its end. */
  result(): Promise<HashResult>;
}

export function isMeasured(source: unknown): source is Measured {
  return typeof source === 'object' && source !== null && (source as Partial<Measured>)[MEASURED] === true;
}

/** Marks an iterable whose bytes were already limited and hashed upstream. */
export function asMeasured(read: () => AsyncIterator<Buffer>, result: () => Promise<HashResult>): Measured {
  return { [MEASURED]: true, [Symbol.asyncIterator]: read, result };
}

export function abortError(signal: AbortSignal, what = 'Writing image data') {
  const reason = signal.reason as unknown;
  if (isGlanceImportError(reason, 'GI_STORE_ABORTED')) return reason;
  return giError('GI_STORE_ABORTED', { what, reason: reason === undefined ? undefined : reasonOf(reason) }, { cause: reason });
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new TypeError(`the source yields ${typeof chunk} chunks, not bytes (was an encoding set on the stream?)`);
}

/** Errors of the data source are told apart from the store's own: a client going away is not a full disk. */
function sourceError(e: unknown) {
  return isGlanceImportError(e) ? e : giError('GI_STORE_SOURCE_FAILED', { reason: reasonOf(e) }, { cause: e });
}

/**
 * Wraps a source so that reading it enforces `maxBytes` / `expectedBytes` as bytes arrive, stops on
 * abort, reports progress and hashes every chunk once. A source that is already measured (a branch
 * of a fan-out) is not hashed again: `result()` then answers with the upstream digests.
 */
/** Large data is hashed on two worker threads; small data is not worth starting them for. */
const WORKER_MIN_BYTES = 64 * 1024 * 1024;

function pickHasher(opts: WriteOptions): Hasher {
  const expected = opts.expectedBytes ?? opts.sizeHint;
  const large = expected !== undefined && expected >= WORKER_MIN_BYTES;
  return large && process.env.GLANCE_IMPORT_HASH_WORKERS !== '0' ? createWorkerHasher(opts.hashAlgo ?? DEFAULT_HASH_ALGO) : createHasher(opts.hashAlgo);
}

export function measure(source: Source, opts: WriteOptions = {}): Measured {
  const upstream = isMeasured(source) ? source : undefined;
  // Made when the reading starts: a worker hasher holds the process alive until it is done, and a
  // source no store ever reads (every store refused before its first byte) must not start one.
  let hasher: Hasher | undefined;
  const hashes = !upstream && opts.hash !== false;
  // A bad algorithm is refused now, before anything is read.
  if (hashes) checkHashAlgo(opts.hashAlgo ?? DEFAULT_HASH_ALGO);
  let final: HashResult | undefined;
  const { maxBytes, expectedBytes, signal, onProgress } = opts;

  let started = false;

  async function* read(): AsyncGenerator<Buffer> {
    // One pass only: a second would feed the same bytes to the hasher twice.
    if (started) throw new Error('a measured source can be read only once');
    started = true;
    if (signal?.aborted) throw abortError(signal);
    hasher = hashes ? pickHasher(opts) : undefined;
    const it = (source as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    let bytes = 0;
    let ended = false;
    // An abort rejects the read waiting on the source at once (a stalled upload must not delay it).
    // One listener for the whole read: adding and removing one per chunk cost more than the check.
    let stop: ((e: unknown) => void) | undefined;
    const onAbort = () => stop?.(abortError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    const next = (): Promise<IteratorResult<unknown>> => {
      const p = it.next();
      return signal
        ? new Promise((resolve, reject) => {
            stop = reject;
            p.then(resolve, reject);
          })
        : p;
    };
    try {
      for (;;) {
        if (signal?.aborted) throw abortError(signal);
        let step: IteratorResult<unknown>;
        try {
          step = await next();
        } catch (e) {
          throw sourceError(e);
        }
        if (signal?.aborted) throw abortError(signal);
        if (step.done) {
          ended = true;
          break;
        }
        const chunk = toBuffer(step.value);
        bytes += chunk.length;
        if (maxBytes !== undefined && bytes > maxBytes) throw giError('GI_STORE_TOO_LARGE', { limit: maxBytes });
        if (expectedBytes !== undefined && bytes > expectedBytes)
          throw giError('GI_STORE_SIZE_MISMATCH', { expected: expectedBytes, actual: bytes, longer: true });
        const wait = hasher?.update(chunk);
        if (wait) await wait;
        onProgress?.(bytes);
        yield chunk;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Releases the source early (a Node stream is destroyed); never awaited: its next() may be pending.
      if (!ended) {
        it.return?.()?.catch?.(() => undefined);
        hasher?.dispose?.();
      }
    }
    if (expectedBytes !== undefined && bytes !== expectedBytes)
      throw giError('GI_STORE_SIZE_MISMATCH', { expected: expectedBytes, actual: bytes, longer: false });
    final = hasher
      ? await hasher.digest()
      : upstream
        ? await upstream.result()
        : { size: bytes, checksum: '', hashAlgo: opts.hashAlgo ?? DEFAULT_HASH_ALGO, hashValue: '' };
  }

  return asMeasured(read, async () => {
    if (!final) throw new Error('image data was not read to its end; no digest');
    return final;
  });
}

/** Size, md5 and `hashAlgo` of a source, read once. */
export async function hashStream(source: Source, opts: WriteOptions = {}): Promise<HashResult> {
  const measured = measure(source, opts);
  for await (const chunk of measured) void chunk;
  return measured.result();
}
