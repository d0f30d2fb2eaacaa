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
 * was away (its own abort failed too). Their parts are invisible but take space; the image lock makes
 * sure no live upload of the same image is running.
 */
export async function abortOpenUploads(client: S3Client, s: S3Settings, bucket: string, key: string): Promise<void> {
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  for (;;) {
    let page;
    try {
      page = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key, KeyMarker, UploadIdMarker }));
    } catch (e) {
      if (isMissing(e)) return;
      throw s3Failure(s.store, s.endpoint, `ListMultipartUploads ${bucket}/${key}`, e);
    }
    for (const u of page.Uploads ?? []) {
      if (u.Key !== key || !u.UploadId) continue;
      try {
        await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: u.UploadId }));
      } catch (e) {
        if (!isMissing(e)) throw s3Failure(s.store, s.endpoint, `AbortMultipartUpload ${bucket}/${key}`, e);
      }
    }
    if (!page.IsTruncated) return;
    KeyMarker = page.NextKeyMarker;
    UploadIdMarker = page.NextUploadIdMarker;
  }
}
