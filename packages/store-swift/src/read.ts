import { Readable } from 'node:stream';
import type { ByteRange } from '@glance-import/store';
import { urlOf } from './container.js';
import { storeError } from './contract-errors.js';
import { swiftErrors } from './errors.js';
import type { HttpResponse } from './http.js';
import type { SwiftSession } from './session.js';

export interface ReadTarget {
  readonly container: string;
  readonly object: string;
  /** For GI_STORE_NOT_FOUND. */
  readonly location: string;
}

/**
 * Streams an object (or a byte range of it). A read that breaks part-way is resumed with a ranged
 * GET from the byte it reached, up to `retries` times, as glance_store's swift_retry_iter does;
 * after that the stream fails with GI_SWIFT_READ_BROKEN.
 */
export async function readObject(
  session: SwiftSession,
  t: ReadTarget,
  range: ByteRange | undefined,
  retries: number,
): Promise<{ stream: NodeJS.ReadableStream; size: number }> {
  const store = session.store;
  if (
    range &&
    !(Number.isSafeInteger(range.start) && range.start >= 0 && (range.end === undefined || (Number.isSafeInteger(range.end) && range.end >= range.start)))
  ) {
    // Swift ignores a malformed Range and sends everything: refuse it here, with the size for the message.
    throw storeError('GI_STORE_RANGE_NOT_SATISFIABLE', { start: range.start, end: range.end, size: await sizeOf(session, t) });
  }
  const first = await get(session, t, range?.start ?? 0, range?.end);
  let size: number;
  let end: number;
  if (first.status === 206) {
    const m = /bytes (\d+)-(\d+)\/(\d+)/.exec(String(first.headers['content-range']));
    if (!m) throw await session.refusal(`GET object ${t.container}/${t.object}`, first);
    end = Number(m[2]);
    size = Number(m[3]);
  } else {
    size = Number(first.headers['content-length']);
    if (!Number.isSafeInteger(size)) throw await session.refusal(`GET object ${t.container}/${t.object} (no Content-Length)`, first);
    end = size - 1;
  }
  const start = range?.start ?? 0;

  async function* body(): AsyncGenerator<Buffer> {
    let res: HttpResponse = first;
    let at = start;
    for (let attempt = 0; ; attempt++) {
      try {
        for await (const chunk of res.body) {
          at += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      } catch {
        /* broken: resumed below */
      }
      if (at > end) return;
      if (attempt >= retries) {
        throw swiftErrors.error('GI_SWIFT_READ_BROKEN', {
          store,
          object: `${t.container}/${t.object}`,
          bytesRead: at - start,
          bytesExpected: end + 1 - start,
          retries,
        });
      }
      res = await get(session, t, at, end);
      if (res.status !== 206) throw await session.refusal(`GET object ${t.container}/${t.object} (resuming at byte ${at})`, res);
    }
  }
  return { stream: Readable.from(body(), { objectMode: false }), size };
}

async function get(session: SwiftSession, t: ReadTarget, start: number, end: number | undefined): Promise<HttpResponse> {
  const operation = `GET object ${t.container}/${t.object}`;
  const ranged = start > 0 || end !== undefined;
  const res = await session.request(operation, (ep) => ({
    method: 'GET',
    url: urlOf(ep, t.container, t.object),
    headers: ranged ? { range: `bytes=${start}-${end ?? ''}` } : undefined,
  }));
  if (res.status === 200 || res.status === 206) return res;
  if (res.status === 404) {
    res.discard();
    throw storeError('GI_STORE_NOT_FOUND', { store: session.store, location: t.location });
  }
  if (res.status === 416) {
    res.discard();
    const total = /bytes \*\/(\d+)/.exec(String(res.headers['content-range']))?.[1];
    throw storeError('GI_STORE_RANGE_NOT_SATISFIABLE', { start, end, size: total === undefined ? await sizeOf(session, t) : Number(total) });
  }
  throw await session.refusal(operation, res);
}

/** HEAD: the object's size; GI_STORE_NOT_FOUND when it is missing. */
export async function sizeOf(session: SwiftSession, t: ReadTarget): Promise<number> {
  const res = await headObject(session, t.container, t.object);
  if (!res) throw storeError('GI_STORE_NOT_FOUND', { store: session.store, location: t.location });
  return Number(res['content-length']);
}

/** HEAD: the object's headers, or undefined when it is missing. */
export async function headObject(session: SwiftSession, container: string, object: string): Promise<HttpResponse['headers'] | undefined> {
  const operation = `HEAD object ${container}/${object}`;
  const res = await session.request(operation, (ep) => ({ method: 'HEAD', url: urlOf(ep, container, object) }));
  if (res.status === 404) {
    res.discard();
    return undefined;
  }
  if (res.status !== 200) throw await session.refusal(operation, res);
  res.discard();
  return res.headers;
}
