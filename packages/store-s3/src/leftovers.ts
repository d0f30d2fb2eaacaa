import type { S3Client } from '@aws-sdk/client-s3';
import { isUuid } from '@glance-import/store';
import { abortUpload, openUploads } from './bucket.js';
import type { S3Settings } from './settings.js';

/**
 * Aborts the multipart uploads open in `bucket` for images (keys that are image ids) that `keep`
 * does not claim: an import writing them now. Every upload has its own id, so one that starts
 * while the listing is read is never in it. A page of the listing at a time; `keep` is asked once
 * per image. Returns `<bucket>/<key>?uploadId=<id>` for each upload aborted.
 */
export async function abortUploadsOfImages(
  client: S3Client,
  s: S3Settings,
  bucket: string,
  keep: (imageId: string) => Promise<boolean>,
  pageSize = 1000,
): Promise<string[]> {
  const aborted: string[] = [];
  // The listing is in key order: an image's uploads follow one another, so one answer is enough to hold.
  let last: { key: string; kept: boolean } | undefined;
  for await (const page of openUploads(client, s, bucket, '', pageSize)) {
    for (const u of page) {
      if (!isUuid(u.key)) continue;
      if (last?.key !== u.key) last = { key: u.key, kept: await keep(u.key) };
      if (!last.kept) aborted.push(await abortUpload(client, s, bucket, u));
    }
  }
  return aborted;
}
