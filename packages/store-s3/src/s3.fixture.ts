// Shared by this package's tests (not exported): the reference Swift's S3 API on 127.0.0.1 (started by
// `bash ../shared/reference-swift/start.sh`, as .ci/run does), looked at with the SDK directly (and
// through the Swift API for the parts s3api keeps in `<bucket>+segments`).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll } from 'vitest';

export const S3 = { endpoint: 'http://127.0.0.1:8080', port: 8080, accessKey: 'test:tester', secret: 'testing' };
export const MiB = 1024 * 1024;

export const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
export const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');
export const newId = () => randomUUID();
export const data = (bytes: number) => randomBytes(bytes);

/** The store group of a test store on the reference Swift's S3 API. */
export const group = (bucket: string, extra: Record<string, unknown> = {}) => ({
  s3_store_host: S3.endpoint,
  s3_store_access_key: S3.accessKey,
  s3_store_secret_key: S3.secret,
  s3_store_bucket: bucket,
  s3_store_create_bucket_on_put: true,
  s3_store_bucket_url_format: 'path',
  ...extra,
});

/** The S3 API as the test sees it: listings of objects, open uploads and s3api's part container. */
export class S3View {
  readonly client = new S3Client({
    endpoint: S3.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3.accessKey, secretAccessKey: S3.secret },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  private buckets = new Set<string>();

  static open(): S3View {
    const view = new S3View();
    afterAll(() => view.dropAll());
    return view;
  }

  /** A fresh bucket name, removed with all it holds after the file's tests. */
  bucket(): string {
    const name = `gi-s3-test-${randomBytes(4).toString('hex')}`;
    this.buckets.add(name);
    return name;
  }

  async create(bucket: string): Promise<void> {
    this.buckets.add(bucket);
    await this.client.send(new CreateBucketCommand({ Bucket: bucket }));
  }

  async keys(bucket: string): Promise<string[]> {
    const out = await this.client.send(new ListObjectsV2Command({ Bucket: bucket })).catch((e: { name?: string }) => {
      if (e.name === 'NoSuchBucket') return { Contents: [] };
      throw e;
    });
    return (out.Contents ?? []).map((o) => o.Key!).sort();
  }

  /** Keys of multipart uploads still open in the bucket. */
  async openUploads(bucket: string): Promise<string[]> {
    const out = await this.client.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    return (out.Uploads ?? []).map((u) => u.Key!);
  }

  /** What s3api keeps of uploads in the container `<bucket>+segments` (Swift API): [] when nothing. */
  async segments(bucket: string): Promise<string[]> {
    const auth = await fetch(`${S3.endpoint}/auth/v1.0`, { headers: { 'x-auth-user': S3.accessKey, 'x-auth-key': S3.secret } });
    const res = await fetch(`${auth.headers.get('x-storage-url')}/${encodeURIComponent(`${bucket}+segments`)}?format=json`, {
      headers: { 'x-auth-token': auth.headers.get('x-auth-token')! },
    });
    if (res.status === 404 || res.status === 204) return [];
    return ((await res.json()) as Array<{ name: string }>).map((o) => o.name);
  }

  async drop(bucket: string): Promise<void> {
    const uploads = await this.client.send(new ListMultipartUploadsCommand({ Bucket: bucket })).catch(() => ({ Uploads: [] }));
    for (const u of uploads.Uploads ?? []) await this.client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key, UploadId: u.UploadId }));
    for (const key of await this.keys(bucket)) await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    await this.client.send(new DeleteBucketCommand({ Bucket: bucket })).catch(() => undefined);
  }

  private async dropAll(): Promise<void> {
    for (const b of this.buckets) await this.drop(b).catch(() => undefined);
  }
}

/** A TCP relay to the S3 API that counts the connections open at once: the requests in flight. */
export async function countingRelay(targetPort = S3.port) {
  let open = 0;
  let most = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    most = Math.max(most, ++open);
    client.pipe(upstream).pipe(client);
    let closed = false;
    const end = () => {
      if (!closed) {
        closed = true;
        open--;
      }
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    most: () => most,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A source of `bytes` in 1 MiB chunks that calls `at.run()` once it has given `at.offset` bytes. */
export async function* source(bytes: Buffer, at?: { offset: number; run: () => void | Promise<void> }): AsyncGenerator<Buffer> {
  let done = false;
  for (let i = 0; i < bytes.length; i += MiB) {
    if (at && !done && i >= at.offset) {
      done = true;
      await at.run();
    }
    yield bytes.subarray(i, i + MiB);
  }
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
