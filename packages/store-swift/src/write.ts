import { urlOf } from './container.js';
import { swiftErrors } from './errors.js';
import { segmentName, segmentPrefix } from './location.js';
import { Pieces } from './pieces.js';
import type { SwiftSession } from './session.js';

export interface WriteTarget {
  readonly store: string;
  readonly container: string;
  readonly object: string;
}

export interface WriteShape {
  /** The data's size when known; the request then carries Content-Length. */
  readonly size: number | undefined;
  /** Above this (or with an unknown size) the data becomes segments and a manifest. */
  readonly largeObjectSize: number;
  readonly chunkSize: number;
  readonly signal?: AbortSignal;
}

/** Segment numbers past this would no longer sort in order (`%05d`), and a DLO reads them in name order. */
const MAX_SEGMENTS = 99_999;

/**
 * Writes `data` as glance_store does: one PUT when its size is known and below the large-object
 * size; otherwise `<object>-00001`, `-00002`, ... of at most `chunkSize` bytes each, then a
 * zero-byte manifest with `X-Object-Manifest: <container>/<object>-` (a Dynamic Large Object). The
 * object appears only with its last request, so a failure leaves nothing at its name; the caller
 * removes the segments written.
 */
export async function writeObject(session: SwiftSession, t: WriteTarget, data: AsyncIterable<Buffer>, shape: WriteShape): Promise<void> {
  if (shape.size !== undefined && shape.size < shape.largeObjectSize) {
    await put(session, t.container, t.object, { body: data, contentLength: shape.size, signal: shape.signal });
    return;
  }
  if (shape.size !== undefined && Math.ceil(shape.size / shape.chunkSize) > MAX_SEGMENTS) throw tooMany(t.store, shape.chunkSize);
  const pieces = new Pieces(data);
  try {
    let written = 0;
    for (let n = 1; ; n++) {
      const piece = await pieces.next(shape.chunkSize);
      if (!piece) break;
      if (n > MAX_SEGMENTS) throw tooMany(t.store, shape.chunkSize);
      const contentLength = shape.size === undefined ? undefined : Math.min(shape.chunkSize, shape.size - written);
      await put(session, t.container, segmentName(t.object, n), { body: piece, contentLength, signal: shape.signal });
      written += contentLength ?? 0;
    }
  } finally {
    await pieces.close().catch(() => undefined);
  }
  const manifest = `${encodeURIComponent(t.container)}/${encodeURIComponent(segmentPrefix(t.object))}`;
  await put(session, t.container, t.object, { headers: { 'x-object-manifest': manifest }, signal: shape.signal });
}

async function put(
  session: SwiftSession,
  container: string,
  object: string,
  o: { body?: AsyncIterable<Buffer>; contentLength?: number; headers?: Record<string, string>; signal?: AbortSignal },
): Promise<void> {
  const operation = `PUT object ${container}/${object}`;
  const res = await session.request(operation, (ep) => ({
    method: 'PUT',
    url: urlOf(ep, container, object),
    headers: { 'content-type': 'application/octet-stream', ...o.headers },
    body: o.body,
    contentLength: o.contentLength,
    signal: o.signal,
  }));
  if (res.status === 404) {
    // The container went away since it was checked.
    res.discard();
    throw swiftErrors.error('GI_SWIFT_NO_CONTAINER', { store: session.store, container });
  }
  if (res.status !== 201) throw await session.refusal(operation, res);
  res.discard();
}

const tooMany = (store: string, chunkSize: number) => swiftErrors.error('GI_SWIFT_TOO_MANY_SEGMENTS', { store, limit: MAX_SEGMENTS, chunkSize });
