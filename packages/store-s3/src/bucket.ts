import { AbortMultipartUploadCommand, CreateBucketCommand, HeadBucketCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Errors } from './errors.js';
import { isMissing, s3Failure } from './failure.js';
import type { S3Settings } from './settings.js';

/** Whether the bucket exists (HeadBucket); any other failure is an error. */
export async function bucketExists(client: S3Client, s: S3Settings, bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return true;
  } catch (e) {
    if (isMissing(e)) return false;
    throw s3Failure(s.store, s.endpoint, `HeadBucket ${bucket}`, e);
  }
}

/**
 * Makes sure the bucket exists, as glance_store's add: when missing, create it if
 * s3_store_create_bucket_on_put (with the region as location constraint outside us-east-1), else
 * fail naming the option.
 */
export async function ensureBucket(client: S3Client, s: S3Settings, bucket: string): Promise<void> {
  if (await bucketExists(client, s, bucket)) return;
  if (!s.createBucket) throw s3Errors.error('GI_S3_NO_BUCKET', { store: s.store, bucket });
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(s.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: s.region as never } }),
      }),
    );
  } catch (e) {
    if (['BucketAlreadyOwnedByYou'].includes((e as { name?: string }).name ?? '')) return;
    throw s3Failure(s.store, s.endpoint, `CreateBucket ${bucket}`, e);
  }
}

/**
 * Aborts the multipart uploads still open for `key`: those of a write that failed while the service
 * was away (its own abort failed too), or that a crash cut short. Their parts are invisible but take
 * space; the image lock makes sure no live upload of the same image is running. Returns
 * `<bucket>/<key>?uploadId=<id>` for each upload aborted.
 */
export async function abortOpenUploads(client: S3Client, s: S3Settings, bucket: string, key: string): Promise<string[]> {
  const aborted: string[] = [];
  for await (const page of openUploads(client, s, bucket, key)) {
    for (const u of page) if (u.key === key) aborted.push(await abortUpload(client, s, bucket, u));
  }
  return aborted;
}

export interface OpenUpload {
  readonly key: string;
  readonly uploadId: string;
}

/**
 * The multipart uploads open in `bucket` with keys starting with `prefix`, a page (of at most
 * `pageSize`) at a time, each asked for after the last of the one before. A missing bucket has none.
 */
export async function* openUploads(client: S3Client, s: S3Settings, bucket: string, prefix: string, pageSize = 1000): AsyncGenerator<OpenUpload[]> {
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await client.send(
        new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix || undefined, KeyMarker, UploadIdMarker, MaxUploads: pageSize }),
      );
    } catch (e) {
      if (isMissing(e)) return;
      throw s3Failure(s.store, s.endpoint, `ListMultipartUploads ${bucket}/${prefix}`, e);
    }
    const uploads = (page.Uploads ?? []).flatMap((u) => (u.Key && u.UploadId ? [{ key: u.Key, uploadId: u.UploadId }] : []));
    yield uploads;
    if (!page.IsTruncated || uploads.length === 0) return;
    // Swift's s3api (2.30) answers a truncated page with empty Next*Markers; the last upload listed
    // is the same marker.
    KeyMarker = page.NextKeyMarker || uploads.at(-1)!.key;
    UploadIdMarker = page.NextUploadIdMarker || uploads.at(-1)!.uploadId;
  }
}

/** Aborts one upload (one already gone is fine); returns its name. */
export async function abortUpload(client: S3Client, s: S3Settings, bucket: string, u: OpenUpload): Promise<string> {
  try {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.key, UploadId: u.uploadId }));
  } catch (e) {
    if (!isMissing(e)) throw s3Failure(s.store, s.endpoint, `AbortMultipartUpload ${bucket}/${u.key}`, e);
  }
  return `${bucket}/${u.key}?uploadId=${u.uploadId}`;
}
