import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { defineStoreDriver, measure, type StoreDriver } from '@glance-import/store';
import { abortOpenUploads, bucketExists, ensureBucket } from './bucket.js';
import { abortUploadsOfImages } from './leftovers.js';
import { s3Client } from './client.js';
import { abortError, storeError } from './contract-errors.js';
import { s3Errors } from './errors.js';
import { isMissing, s3Failure } from './failure.js';
import { formatLocation, parseLocation } from './location.js';
import { s3Options } from './options.js';
import { headSize, readObject } from './read.js';
import { s3Settings, type S3Settings } from './settings.js';
import { writeObject } from './write.js';

/** The `s3` entry point of glance.store.drivers: (store id, the store's group) → driver. */
export const createS3Store = defineStoreDriver({
  options: s3Options,
  description: "S3 or an S3-compatible service, as glance_store's s3 store",
  create: (id, values) => s3Store(s3Settings(id, values)),
});

/** An s3 store from validated settings. */
export function s3Store(s: S3Settings): StoreDriver {
  const client = s3Client(s, { retries: true });
  const once = s3Client(s, { retries: false });
  const at = (location: string) => ({ ...parseLocation(s.store, s.locationPrefix, location), location });
  const remove = async (bucket: string, key: string): Promise<string[]> => {
    try {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (e) {
      if (!isMissing(e)) throw s3Failure(s.store, s.endpoint, `DeleteObject ${bucket}/${key}`, e);
    }
    return abortOpenUploads(client, s, bucket, key);
  };

  return {
    id: s.store,
    type: 's3',
    readOnly: false,
    description: s.description,
    weight: s.weight,
    // What Glance's /v2/info/stores/detail shows for an s3 store (sizes in bytes).
    properties: { s3_store_large_object_size: s.largeObjectSize, s3_store_large_object_chunk_size: s.partSize, s3_store_thread_pools: s.threadPools },

    async add(imageId, source, opts = {}) {
      checkImageId(imageId);
      const data = measure(source, opts);
      await ensureBucket(client, s, s.bucket);
      if ((await headSize(client, s, s.bucket, imageId)) !== undefined) throw storeError('GI_STORE_DUPLICATE', { store: s.store, imageId });
      await abortOpenUploads(client, s, s.bucket, imageId);
      try {
        await writeObject({ once, retrying: client }, s, s.bucket, imageId, data, { size: opts.expectedBytes, signal: opts.signal });
        if (opts.signal?.aborted) throw abortError(opts.signal, `Writing to store '${s.store}'`);
        return { location: formatLocation(s.locationPrefix, s.bucket, imageId), ...(await data.result()) };
      } catch (e) {
        await remove(s.bucket, imageId).catch(() => undefined);
        throw e;
      }
    },

    get: async (location, range) => readObject(client, s, at(location), range),

    async delete(location) {
      const o = at(location);
      await remove(o.bucket, o.key);
    },

    async exists(location) {
      const o = at(location);
      return (await headSize(client, s, o.bucket, o.key)) !== undefined;
    },

    async discard(imageId) {
      checkImageId(imageId);
      // A PutObject or a completed upload is atomic, so an object here is complete: a crash came
      // before its location was recorded, and the caller has made sure none is.
      const object = (await headSize(client, s, s.bucket, imageId)) !== undefined ? [`${s.bucket}/${imageId}`] : [];
      return [...object, ...(await remove(s.bucket, imageId))];
    },

    sweepPartials: async (keep) => abortUploadsOfImages(client, s, s.bucket, keep),

    async check() {
      if (!(await bucketExists(client, s, s.bucket)) && !s.createBucket) throw s3Errors.error('GI_S3_NO_BUCKET', { store: s.store, bucket: s.bucket });
    },
  };
}

/** An image id becomes the object's key. */
function checkImageId(imageId: string): void {
  if (!imageId || imageId.includes('/') || imageId.length > 900) throw storeError('GI_STORE_BAD_IMAGE_ID', { imageId });
}
