import { CreateMultipartUploadCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { parseStoreOptions } from '@glance-import/store';
import { describe, expect, it } from 'vitest';
import { s3Client } from './client.js';
import { abortUploadsOfImages } from './leftovers.js';
import { s3Options } from './options.js';
import { s3Settings } from './settings.js';
import { createS3Store } from './store.js';
import { data, group, MiB, newId, readAll, S3View, source } from './s3.fixture.js';

// What a crash leaves in S3, and how the store clears it: against the reference Swift's S3 API. A
// killed writer leaves its multipart upload open with the parts it had sent (invisible, taking
// space); those are made here with the SDK, as the killed process would have.

const s3 = S3View.open();

function store(extra: Record<string, unknown> = {}) {
  const bucket = s3.bucket();
  return { bucket, store: createS3Store('s3objects', group(bucket, { s3_store_large_object_size: 6, s3_store_large_object_chunk_size: 5, ...extra })) };
}

/** An upload of `key` left open after one part, as a writer killed mid-write leaves it; its name as the store gives it. */
async function killedUpload(bucket: string, key: string): Promise<string> {
  await s3.create(bucket).catch((e: { name?: string }) => {
    if (e.name !== 'BucketAlreadyOwnedByYou' && e.name !== 'BucketAlreadyExists') throw e;
  });
  const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  await s3.client.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: data(MiB) }));
  return `${bucket}/${key}?uploadId=${UploadId}`;
}

describe('discard', () => {
  it('aborts the uploads a killed write left open, and no other image’s; the same write then succeeds', async () => {
    const { bucket, store: s } = store();
    const [id, other] = [newId(), newId()];
    const left = [await killedUpload(bucket, id), await killedUpload(bucket, id)];
    await killedUpload(bucket, other);
    expect((await s.discard!(id)).sort()).toEqual(left.sort());
    expect(await s3.openUploads(bucket)).toEqual([other]);
    expect(await s.discard!(id)).toEqual([]);
    const bytes = data(7 * MiB);
    const added = await s.add(id, source(bytes), { expectedBytes: bytes.length });
    expect((await readAll((await s.get(added.location)).stream)).equals(bytes)).toBe(true);
    expect(await s3.keys(bucket)).toEqual([id]);
  });

  it('removes a complete object no location records yet (a crash after its upload completed), so the write can run again', async () => {
    const { bucket, store: s } = store();
    const id = newId();
    await s.add(id, source(data(10)), { expectedBytes: 10 });
    await expect(s.add(id, source(data(10)))).rejects.toMatchObject({ code: 'GI_STORE_DUPLICATE' });
    expect(await s.discard!(id)).toEqual([`${bucket}/${id}`]);
    expect(await s3.keys(bucket)).toEqual([]);
    await s.add(id, source(data(10)), { expectedBytes: 10 });
    expect(await s3.keys(bucket)).toEqual([id]);
  });

  it('holds nothing for an image never written, nor in a bucket not yet created; refuses a key that is no image id', async () => {
    const { store: s } = store();
    expect(await s.discard!(newId())).toEqual([]);
    await expect(s.discard!('a/b')).rejects.toMatchObject({ code: 'GI_STORE_BAD_IMAGE_ID' });
  });
});

describe('sweepPartials', () => {
  it('aborts the open uploads of images no import writes, never a kept one’s, a complete object or a key that is no image id', async () => {
    const { bucket, store: s } = store();
    const [orphan, writing, done] = [newId(), newId(), newId()];
    const orphans = [await killedUpload(bucket, orphan), await killedUpload(bucket, orphan)];
    await killedUpload(bucket, writing);
    await killedUpload(bucket, 'notes');
    await s.add(done, source(data(10)), { expectedBytes: 10 });
    const asked: string[] = [];
    const removed = await s.sweepPartials!(async (id) => (asked.push(id), id === writing));
    expect(removed.sort()).toEqual(orphans.sort());
    expect(asked.sort()).toEqual([orphan, writing].sort());
    expect((await s3.openUploads(bucket)).sort()).toEqual(['notes', writing].sort());
    expect(await s3.keys(bucket)).toEqual([done]);
  });

  it('pages through the listing of open uploads', async () => {
    const { bucket } = store();
    const settings = s3Settings('s3objects', parseStoreOptions('s3objects', s3Options, group(bucket)));
    const ids = [newId(), newId(), newId()];
    const left: string[] = [];
    for (const id of ids) left.push(await killedUpload(bucket, id), await killedUpload(bucket, id));
    const asked: string[] = [];
    const removed = await abortUploadsOfImages(s3Client(settings, { retries: true }), settings, bucket, async (id) => (asked.push(id), false), 1);
    expect(removed.sort()).toEqual(left.sort());
    expect(asked).toEqual([...ids].sort());
    expect(await s3.openUploads(bucket)).toEqual([]);
  });
});
