import { CreateMultipartUploadCommand, HeadObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { FaultyStore, writeToStores } from '@glance-import/store';
import { describe, expect, it } from 'vitest';
import { createS3Store } from './store.js';
import { countingRelay, data, group, md5, MiB, newId, readAll, S3View, sha512, source } from './s3.fixture.js';

// Against the reference Swift's S3 API (s3api). What the store leaves behind is looked at with the SDK
// and, for the parts of multipart uploads, through the Swift API.

const s3 = S3View.open();

/** A store on a fresh bucket: multipart from 6 MiB on, parts of 5 MiB, unless told otherwise. */
function store(extra: Record<string, unknown> = {}) {
  const bucket = s3.bucket();
  return { bucket, store: createS3Store('s3objects', group(bucket, { s3_store_large_object_size: 6, s3_store_large_object_chunk_size: 5, ...extra })) };
}

/** Nothing of any upload is left: no key, no open multipart upload, no part in `<bucket>+segments`. */
async function empty(bucket: string) {
  return { keys: await s3.keys(bucket), uploads: await s3.openUploads(bucket), parts: await s3.segments(bucket) };
}
const nothing = { keys: [], uploads: [], parts: [] };

describe('writing', () => {
  it('below the large-object size: one PutObject, streamed, at s3://<host>/<bucket>/<id>, hashed in the same pass', async () => {
    const { bucket, store: s } = store();
    const bytes = data(3 * MiB + 17);
    const id = newId();
    const added = await s.add(id, source(bytes), { expectedBytes: bytes.length });
    expect(added).toEqual({
      location: `s3://127.0.0.1:8080/${bucket}/${id}`,
      size: bytes.length,
      checksum: md5(bytes),
      hashAlgo: 'sha512',
      hashValue: sha512(bytes),
    });
    expect(await s3.keys(bucket)).toEqual([id]);
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: id }));
    expect([head.ContentLength, head.ETag]).toEqual([bytes.length, `"${md5(bytes)}"`]);
    const { stream, size } = await s.get(added.location);
    expect(size).toBe(bytes.length);
    expect((await readAll(stream)).equals(bytes)).toBe(true);
    expect(await s.exists(added.location)).toBe(true);
  });

  it('from it on: a multipart upload of s3_store_large_object_chunk_size parts (MiB), completed as one object', async () => {
    const { bucket, store: s } = store();
    const bytes = data(12 * MiB + 3);
    const id = newId();
    const added = await s.add(id, source(bytes), { expectedBytes: bytes.length });
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: id }));
    expect([head.ContentLength, head.ETag?.replace(/^"[0-9a-f]{32}/, '')]).toEqual([bytes.length, '-3"']);
    expect(await empty(bucket)).toMatchObject({ keys: [id], uploads: [] });
    expect((await s3.segments(bucket)).length).toBe(3);
    expect((await readAll((await s.get(added.location)).stream)).equals(bytes)).toBe(true);
    expect(added.checksum).toBe(md5(bytes));
  });

  it('with the size unknown, uploads through lib-storage: one PutObject when it fits a part, multipart above', async () => {
    const { bucket, store: s } = store({ s3_store_large_object_size: 0 });
    const [small, large] = [data(2 * MiB), data(11 * MiB)];
    const [a, b] = [newId(), newId()];
    await s.add(a, source(small));
    await s.add(b, source(large));
    const etag = async (key: string) => (await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag;
    expect(await etag(a)).toBe(`"${md5(small)}"`);
    expect(await etag(b)).toMatch(/-3"$/);
  });

  it('keeps s3_store_thread_pools parts in flight, no more', async () => {
    for (const pools of [1, 3]) {
      // Each request in flight holds a connection of its own: the most connections open at once is the most parts in flight.
      const relay = await countingRelay();
      try {
        const bucket = s3.bucket();
        await s3.create(bucket);
        const s = createS3Store(
          's3objects',
          group(bucket, { s3_store_host: relay.endpoint, s3_store_large_object_size: 0, s3_store_large_object_chunk_size: 5, s3_store_thread_pools: pools }),
        );
        await s.add(newId(), source(data(40 * MiB)), { expectedBytes: 40 * MiB });
        expect(relay.most()).toBe(pools);
      } finally {
        await relay.close();
      }
    }
  });

  it('is one of the stores of a fan-out, which passes the size on and hashes once', async () => {
    const { bucket, store: s } = store();
    const bytes = data(7 * MiB);
    const id = newId();
    const out = await writeToStores(source(bytes), [s], id, { expectedBytes: bytes.length });
    expect(out.results).toEqual([{ store: 's3objects', ok: true, location: `s3://127.0.0.1:8080/${bucket}/${id}` }]);
    expect(out.hashes.checksum).toBe(md5(bytes));
  });

  it('refuses a second write of the same image with GI_STORE_DUPLICATE before reading a byte', async () => {
    const { store: s } = store();
    const id = newId();
    await s.add(id, source(data(10)));
    let pulled = false;
    const lazy = (async function* () {
      pulled = true;
      yield Buffer.from('x');
    })();
    await expect(s.add(id, lazy)).rejects.toMatchObject({ code: 'GI_STORE_DUPLICATE', status: 409 });
    expect(pulled).toBe(false);
  });

  it('aborts the multipart uploads a failed earlier write left open before writing', async () => {
    const { bucket, store: s } = store();
    await s3.create(bucket);
    const id = newId();
    const { UploadId } = await s3.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: id }));
    await s3.client.send(new UploadPartCommand({ Bucket: bucket, Key: id, UploadId, PartNumber: 1, Body: data(5 * MiB) }));
    expect(await s3.openUploads(bucket)).toEqual([id]);
    await s.add(id, source(data(MiB)), { expectedBytes: MiB });
    expect(await empty(bucket)).toEqual({ keys: [id], uploads: [], parts: [] });
  });
});

describe('a write that fails leaves nothing: no object, no open upload, no part', () => {
  for (const [what, size] of [
    ['one PutObject', 5 * MiB],
    ['multipart', 16 * MiB],
  ] as const) {
    it(`a store failing mid-write (${what})`, async () => {
      const { bucket, store: s } = store();
      const faulty = new FaultyStore(s, { afterBytes: 3 * MiB + 5 });
      await expect(faulty.add(newId(), source(data(size)), { expectedBytes: size })).rejects.toMatchObject({ code: 'GI_STORE_FULL' });
      expect(await empty(bucket)).toEqual(nothing);
    });

    it(`an abort (${what})`, async () => {
      const { bucket, store: s } = store();
      const ctl = new AbortController();
      const adding = s.add(newId(), source(data(size), { offset: 4 * MiB, run: () => ctl.abort(new Error('client went away')) }), {
        expectedBytes: size,
        signal: ctl.signal,
      });
      await expect(adding).rejects.toMatchObject({ code: 'GI_STORE_ABORTED', message: expect.stringContaining('client went away') });
      expect(await empty(bucket)).toEqual(nothing);
    });

    it(`data shorter than announced (${what})`, async () => {
      const { bucket, store: s } = store();
      await expect(s.add(newId(), source(data(size - 1)), { expectedBytes: size })).rejects.toMatchObject({ code: 'GI_STORE_SIZE_MISMATCH' });
      expect(await empty(bucket)).toEqual(nothing);
    });
  }
});

describe('reading', () => {
  it('serves byte ranges across parts with the total size; refuses ranges it cannot satisfy (416); missing data is 404', async () => {
    const { bucket, store: s } = store();
    const bytes = data(11 * MiB + 9);
    const { location } = await s.add(newId(), source(bytes), { expectedBytes: bytes.length });
    const range = async (start: number, end?: number) => {
      const { stream, size } = await s.get(location, { start, end });
      return [(await readAll(stream)).equals(bytes.subarray(start, end === undefined ? undefined : end + 1)), size];
    };
    expect(await range(5 * MiB - 7, 5 * MiB + 7)).toEqual([true, bytes.length]);
    expect(await range(10 * MiB)).toEqual([true, bytes.length]);
    expect(await range(bytes.length - 2, bytes.length + 100)).toEqual([true, bytes.length]);
    for (const [start, end] of [
      [bytes.length, undefined],
      [5, 4],
      [-1, 3],
    ] as const) {
      await expect(s.get(location, { start, end })).rejects.toMatchObject({
        code: 'GI_STORE_RANGE_NOT_SATISFIABLE',
        status: 416,
        details: { size: bytes.length },
      });
    }
    const gone = `s3://127.0.0.1:8080/${bucket}/${newId()}`;
    await expect(s.get(gone)).rejects.toMatchObject({ code: 'GI_STORE_NOT_FOUND', status: 404 });
    expect(await s.exists(gone)).toBe(false);
  });

  it('reads only its own locations, and never repeats credentials a location holds', async () => {
    const { store: s } = store();
    for (const bad of ['file:///etc/passwd', 's3://elsewhere:9000/b/k', 's3://AKIA:s3cr3t@127.0.0.1:8080/b/k', 's3://127.0.0.1:8080/b']) {
      const e = await s.get(bad).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: 'GI_STORE_BAD_LOCATION' });
      expect(JSON.stringify(e)).not.toContain('s3cr3t');
    }
  });
});

describe('deleting', () => {
  it('removes the object (and any upload left open), leaving the bucket empty; deleting again is fine', async () => {
    const { bucket, store: s } = store();
    const added = await s.add(newId(), source(data(12 * MiB)), { expectedBytes: 12 * MiB });
    await s.delete(added.location);
    expect(await empty(bucket)).toEqual(nothing);
    expect(await s.exists(added.location)).toBe(false);
    await expect(s.delete(added.location)).resolves.toBeUndefined();
  });
});

describe('check() and bad settings: the store and the option are named, credentials never', () => {
  const noSecret = (e: unknown) => {
    const all = JSON.stringify(e) + String((e as Error).message) + String((e as { hint?: string }).hint);
    for (const value of ['testing', 'test:tester', 'wrong-secret']) expect(all).not.toContain(value);
  };

  it('passes for a usable store', async () => {
    const bucket = s3.bucket();
    await s3.create(bucket);
    await expect(createS3Store('s3objects', group(bucket, { s3_store_create_bucket_on_put: false })).check!()).resolves.toBeUndefined();
  });

  it('a wrong secret key: GI_S3_ACCESS_DENIED naming s3_store_access_key / s3_store_secret_key', async () => {
    const bucket = s3.bucket();
    await s3.create(bucket);
    const e = await createS3Store('s3objects', group(bucket, { s3_store_secret_key: 'wrong-secret' })).check!().catch((x: unknown) => x);
    expect(e).toMatchObject({
      code: 'GI_S3_ACCESS_DENIED',
      status: 503,
      message: `Store 's3objects' (s3): the S3 service refused HeadBucket ${bucket} (HTTP 403 Forbidden).`,
      hint: expect.stringContaining('Check s3_store_access_key / s3_store_secret_key'),
    });
    noSecret(e);
    const write = await createS3Store('s3objects', group(bucket, { s3_store_secret_key: 'wrong-secret' }))
      .add(newId(), source(data(10)))
      .catch((x: unknown) => x);
    expect(write).toMatchObject({ code: 'GI_S3_ACCESS_DENIED' });
    noSecret(write);
  });

  it('an endpoint nothing listens on: GI_S3_UNREACHABLE naming s3_store_host', async () => {
    const e = await createS3Store('s3objects', group('b-x', { s3_store_host: '127.0.0.1:9' })).check!().catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'GI_S3_UNREACHABLE', message: "Store 's3objects' (s3): cannot reach http://127.0.0.1:9 (s3_store_host): ECONNREFUSED." });
    noSecret(e);
  });

  it('a missing bucket without create-on-put: GI_S3_NO_BUCKET at check() and at a write; with it, the first write creates it', async () => {
    const bucket = s3.bucket();
    const s = createS3Store('s3objects', group(bucket, { s3_store_create_bucket_on_put: false }));
    const expected = {
      code: 'GI_S3_NO_BUCKET',
      message: `Store 's3objects' (s3): the bucket ${bucket} does not exist in S3.`,
      hint: expect.stringContaining('s3_store_create_bucket_on_put = true in [s3objects]'),
    };
    await expect(s.check!()).rejects.toMatchObject(expected);
    await expect(s.add(newId(), source(data(10)))).rejects.toMatchObject(expected);
    const creating = createS3Store('s3objects', group(bucket));
    await creating.check!();
    const id = newId();
    await creating.add(id, source(data(10)));
    expect(await s3.keys(bucket)).toEqual([id]);
  });

  it('options: required ones, the part size minimum, virtual addressing of a bucket that is no host name', () => {
    const build = (o: Record<string, unknown>) => () => createS3Store('s3objects', o);
    expect(build({ ...group('images'), s3_store_host: undefined })).toThrow(
      expect.objectContaining({ code: 'GI_S3_BAD_OPTIONS', message: "Store 's3objects' (s3): s3_store_host is required." }),
    );
    expect(build({ ...group('images'), s3_store_secret_key: '' })).toThrow(
      expect.objectContaining({ message: "Store 's3objects' (s3): s3_store_secret_key is required." }),
    );
    expect(build({ ...group('images'), s3_store_large_object_chunk_size: 4 })).toThrow(
      expect.objectContaining({ code: 'GI_STORE_BAD_OPTIONS', message: expect.stringContaining('s3_store_large_object_chunk_size is not an integer >= 5') }),
    );
    expect(build({ ...group('Big_Bucket'), s3_store_bucket_url_format: 'virtual' })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('s3_store_bucket_url_format is virtual, but the bucket') }),
    );
    const e = (() => {
      try {
        createS3Store('s3objects', { ...group('images'), s3_store_secret_key: { not: 'a string' } });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toMatchObject({
      code: 'GI_STORE_BAD_OPTIONS',
      message: "Store 's3objects' cannot be set up: s3_store_secret_key is not a string (a secret: never shown).",
    });
  });

  it("shows Glance's s3 properties, in bytes", () => {
    expect(createS3Store('s3objects', group('images')).properties).toEqual({
      s3_store_large_object_size: 100 * MiB,
      s3_store_large_object_chunk_size: 10 * MiB,
      s3_store_thread_pools: 10,
    });
  });
});
