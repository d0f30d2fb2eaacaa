import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ByteRange } from '@glance-import/store';
import { storeError } from './contract-errors.js';
import { isMissing, nameOf, s3Failure, statusOf } from './failure.js';
import type { S3Settings } from './settings.js';

/** Streams an object or a byte range of it (GetObject with Range), with the object's total size. */
export async function readObject(
  client: S3Client,
  s: S3Settings,
  o: { bucket: string; key: string; location: string },
  range: ByteRange | undefined,
): Promise<{ stream: NodeJS.ReadableStream; size: number }> {
  if (
    range &&
    !(Number.isSafeInteger(range.start) && range.start >= 0 && (range.end === undefined || (Number.isSafeInteger(range.end) && range.end >= range.start)))
  ) {
    // S3 ignores a malformed Range and sends everything: refuse it here, with the size for the message.
    throw storeError('GI_STORE_RANGE_NOT_SATISFIABLE', { start: range.start, end: range.end, size: await sizeOf(client, s, o) });
  }
  try {
    const out = await client.send(
      new GetObjectCommand({ Bucket: o.bucket, Key: o.key, ...(range ? { Range: `bytes=${range.start}-${range.end ?? ''}` } : {}) }),
    );
    const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1];
    return { stream: out.Body as NodeJS.ReadableStream, size: total === undefined ? Number(out.ContentLength) : Number(total) };
  } catch (e) {
    if (isMissing(e)) throw storeError('GI_STORE_NOT_FOUND', { store: s.store, location: o.location });
    if (statusOf(e) === 416 || nameOf(e) === 'InvalidRange') {
      throw storeError('GI_STORE_RANGE_NOT_SATISFIABLE', { start: range!.start, end: range!.end, size: await sizeOf(client, s, o) });
    }
    throw s3Failure(s.store, s.endpoint, `GetObject ${o.bucket}/${o.key}`, e);
  }
}

/** HeadObject: the object's size, undefined when it is missing. */
export async function headSize(client: S3Client, s: S3Settings, bucket: string, key: string): Promise<number | undefined> {
  try {
    return Number((await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw s3Failure(s.store, s.endpoint, `HeadObject ${bucket}/${key}`, e);
  }
}

async function sizeOf(client: S3Client, s: S3Settings, o: { bucket: string; key: string; location: string }): Promise<number> {
  const size = await headSize(client, s, o.bucket, o.key);
  if (size === undefined) throw storeError('GI_STORE_NOT_FOUND', { store: s.store, location: o.location });
  return size;
}
