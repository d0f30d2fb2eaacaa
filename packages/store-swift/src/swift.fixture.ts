// Shared by this package's tests (not exported): the reference Swift on 127.0.0.1 (started by
// `bash ../shared/reference-swift/start.sh`, as .ci/run does), a direct client for looking at what the
// store left in it, and faults that the real Swift cannot be asked for: a connection cut mid-answer.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { connect, createServer, type Socket } from 'node:net';
import { afterAll } from 'vitest';

export const SWIFT = { url: 'http://127.0.0.1:8080', auth: 'http://127.0.0.1:8080/auth/v1.0', user: 'test:tester', key: 'testing', memcached: 11211 };
export const MB = 1000 * 1024; // glance_store's swift "MB"
export const MiB = 1024 * 1024;

export const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
export const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');
export const newId = () => randomUUID();
export const data = (bytes: number) => randomBytes(bytes);

/** The store group of a test store on the reference Swift, in the given container. */
export const group = (container: string, extra: Record<string, unknown> = {}) => ({
  swift_store_auth_address: SWIFT.auth,
  swift_store_auth_version: '1',
  swift_store_user: SWIFT.user,
  swift_store_key: SWIFT.key,
  swift_store_container: container,
  swift_store_create_container_on_put: true,
  ...extra,
});

/** A log-in as `user` straight to Swift (not through the store). */
export async function auth(user = SWIFT.user, key = SWIFT.key): Promise<{ token: string; url: string }> {
  let res: Response;
  try {
    res = await fetch(SWIFT.auth, { headers: { 'x-auth-user': user, 'x-auth-key': key } });
  } catch (e) {
    throw new Error(
      `The reference Swift does not answer on ${SWIFT.url} (${(e as Error).message}): start it with \`bash ../shared/reference-swift/start.sh\` (.ci/run does).`,
    );
  }
  if (res.status !== 200) throw new Error(`Swift auth for ${user} answered ${res.status}`);
  return { token: res.headers.get('x-auth-token')!, url: res.headers.get('x-storage-url')! };
}

/** Swift as the test sees it, as one user: container listings and heads, and clean-up of test containers. */
export class SwiftView {
  private containers = new Set<string>();
  private session: Promise<{ token: string; url: string }> | undefined;

  private constructor(
    private readonly user: string,
    private readonly key: string,
  ) {}

  /** Call at the top of a test file: the containers it hands out are removed after the file's tests. */
  static open(user = SWIFT.user, key = SWIFT.key): SwiftView {
    const view = new SwiftView(user, key);
    afterAll(() => view.dropAll());
    return view;
  }

  /** A fresh container name, removed with all it holds after the file's tests. */
  container(prefix = 'gi-swift-test'): string {
    const name = `${prefix}-${randomBytes(4).toString('hex')}`;
    this.containers.add(name);
    return name;
  }

  async req(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    this.session ??= auth(this.user, this.key);
    const { token, url } = await this.session;
    return fetch(`${url}/${path}`, { ...init, method, headers: { 'x-auth-token': token, ...init.headers } });
  }

  /** Object names in the container (sorted), [] when it does not exist. */
  async list(container: string, prefix = ''): Promise<string[]> {
    const res = await this.req('GET', `${container}?format=json&prefix=${encodeURIComponent(prefix)}`);
    if (res.status === 404 || res.status === 204) return [];
    return ((await res.json()) as Array<{ name: string }>).map((o) => o.name).sort();
  }

  async sizes(container: string): Promise<Record<string, number>> {
    const res = await this.req('GET', `${container}?format=json`);
    return Object.fromEntries(((await res.json()) as Array<{ name: string; bytes: number }>).map((o) => [o.name, o.bytes]));
  }

  async head(container: string, object?: string): Promise<Response> {
    return this.req('HEAD', object === undefined ? container : `${container}/${encodeURIComponent(object)}`);
  }

  async put(container: string, object?: string, body?: Buffer): Promise<void> {
    this.containers.add(container);
    const res = await this.req('PUT', object === undefined ? container : `${container}/${encodeURIComponent(object)}`, { body: body ?? Buffer.alloc(0) });
    if (res.status !== 201 && res.status !== 202) throw new Error(`PUT ${container}/${object ?? ''} answered ${res.status}`);
  }

  async drop(container: string): Promise<void> {
    for (const name of await this.list(container)) await this.req('DELETE', `${container}/${encodeURIComponent(name)}`);
    await this.req('DELETE', container);
  }

  private async dropAll(): Promise<void> {
    for (const c of this.containers) await this.drop(c).catch(() => undefined);
  }
}

/**
 * Forgets a tempauth token, as a restart of memcached does (Swift keeps tokens only there): the next
 * request with it gets 401. Only that token is touched (tempauth keys are md5-hashed by Swift).
 */
export async function forgetToken(token: string, port = SWIFT.memcached): Promise<void> {
  const key = createHash('md5').update(`AUTH_/token/${token}`).digest('hex');
  const answer = await new Promise<string>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`delete ${key}\r\n`));
    s.on('data', (d) => {
      resolve(d.toString());
      s.end();
    });
    s.on('error', reject);
  });
  if (!/^(DELETED|NOT_FOUND)/.test(answer)) throw new Error(`memcached answered ${answer}`);
}

/**
 * A TCP relay to Swift that cuts the first `times` connections whose answer passes `afterBytes` (a
 * read that breaks mid-way); everything else passes through. For swift_store_endpoint.
 */
export async function cuttingRelay(targetPort: number, o: { afterBytes: number; times: number }) {
  let cuts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let down = 0;
    client.pipe(upstream);
    upstream.on('data', (d: Buffer) => {
      down += d.length;
      if (cuts < o.times && down > o.afterBytes) {
        cuts++;
        client.write(d.subarray(0, d.length - (down - o.afterBytes)));
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('end', end).on('error', end);
    client.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    cuts: () => cuts,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A source of `bytes` in 1 MiB chunks that calls `at(offset)` once it has given `offset` bytes. */
export async function* source(bytes: Buffer, at?: { offset: number; run: () => Promise<void> }): AsyncGenerator<Buffer> {
  let done = false;
  for (let i = 0; i < bytes.length; i += MiB) {
    if (at && !done && i >= at.offset) {
      done = true;
      await at.run();
    }
    yield bytes.subarray(i, i + MiB);
  }
}

/** Reads a stream to one buffer. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
