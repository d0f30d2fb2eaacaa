import { Readable } from 'node:stream';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { s3Failure } from './failure.js';
import type { S3Settings } from './settings.js';

/** S3 allows 10,000 parts; glance_store widens the parts of a known size to fit. */
const MAX_PARTS = 10_000;

export interface WriteShape {
  /** The data's size when known. */
  readonly size: number | undefined;
  readonly signal?: AbortSignal;
}

/**
 * Writes `data` as glance_store does: one PutObject when its size is known and below
 * s3_store_large_object_size (streamed with Content-Length, where glance_store buffered it), else a
 * multipart upload with lib-storage: parts of s3_store_large_object_chunk_size (wider when 10,000
 * would not hold the size), s3_store_thread_pools of them in flight. A failure or an abort comes
 * through the data itself (`measure` rejects), so lib-storage aborts the multipart upload before it
 * rejects; the object appears only with the upload's completion.
 */
export async function writeObject(
  clients: { once: S3Client; retrying: S3Client },
  s: S3Settings,
  bucket: string,
  key: string,
  data: AsyncIterable<Buffer>,
  shape: WriteShape,
): Promise<void> {
  let sourceFailure: { error: unknown } | undefined;
  // A failing source must also stop a request in flight: the SDK pipes a stream body, and a pipe does
  // not pass its source's error on (the request would wait for the bytes its Content-Length promised).
  const stop = new AbortController();
  async function* watched(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of data) yield chunk;
    } catch (error) {
      sourceFailure = { error };
      stop.abort(error);
      throw error;
    }
  }
  // highWaterMark 1: hold one chunk ahead, no more (the fan-out paces every store by the slowest).
  const body = Readable.from(watched(), { objectMode: false, highWaterMark: 1 });
  body.on('error', () => undefined); // reported through sourceFailure
  const abortSignal = shape.signal ? AbortSignal.any([shape.signal, stop.signal]) : stop.signal;
  const params = { Bucket: bucket, Key: key, ContentType: 'application/octet-stream' };
  try {
    if (shape.size !== undefined && shape.size < s.largeObjectSize) {
      await clients.once.send(new PutObjectCommand({ ...params, Body: body, ContentLength: shape.size }), { abortSignal });
    } else {
      const partSize = shape.size === undefined ? s.partSize : Math.max(s.partSize, Math.ceil(shape.size / MAX_PARTS));
      await new Upload({ client: clients.retrying, params: { ...params, Body: body }, partSize, queueSize: s.threadPools, leavePartsOnError: false }).done();
    }
  } catch (e) {
    body.destroy();
    throw sourceFailure?.error ?? s3Failure(s.store, s.endpoint, `writing ${bucket}/${key}`, e, shape.signal);
  }
}
