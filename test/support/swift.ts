import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { run } from './run.js';
import { REPO } from './workspace.js';

/**
 * The reference Swift of the suites (shared/reference-swift beside the repository: `../shared` of a
 * clone, or of any folder above a worktree; GI_REFERENCE_SWIFT names it elsewhere). The shared
 * instance on 127.0.0.1:8080 is started by .ci/run (or by hand); a suite that stops Swift starts its
 * own instance on other ports with its own SWIFT_HOME, so the shared one stays up for the others.
 */
export function referenceSwiftDir(): string {
  if (process.env.GI_REFERENCE_SWIFT) return process.env.GI_REFERENCE_SWIFT;
  for (let dir = path.dirname(REPO); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared', 'reference-swift');
    if (existsSync(path.join(candidate, 'start.sh'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`no shared/reference-swift/start.sh above ${REPO}; set GI_REFERENCE_SWIFT`);
  }
}

export interface SwiftInstance {
  /** Proxy: the Swift API and the S3 API. */
  readonly url: string;
  readonly auth: string;
  readonly user: string;
  readonly key: string;
  /** A login straight to Swift (not through glance-import). */
  login(): Promise<{ token: string; storageUrl: string }>;
  /** Object names in a container (or bucket: the same thing here), sorted; [] when it does not exist. */
  list(container: string): Promise<string[]>;
  /** Creates a container (or bucket), as an operator does before configuring the store. */
  create(container: string): Promise<void>;
  /** Deletes a container and all it holds. */
  drop(container: string): Promise<void>;
}

const TEST_USER = { user: 'test:tester', key: 'testing' };

function instance(port: number): SwiftInstance {
  const url = `http://127.0.0.1:${port}`;
  const auth = `${url}/auth/v1.0`;
  const login = async () => {
    let res: Response;
    try {
      res = await fetch(auth, { headers: { 'x-auth-user': TEST_USER.user, 'x-auth-key': TEST_USER.key } });
    } catch (e) {
      throw new Error(
        `No Swift answers on ${url} (${(e as Error).message}): start it with \`bash ${path.join(referenceSwiftDir(), 'start.sh')}\` (.ci/run does).`,
      );
    }
    if (res.status !== 200) throw new Error(`Swift on ${url}: login answered ${res.status}`);
    return { token: res.headers.get('x-auth-token')!, storageUrl: res.headers.get('x-storage-url')! };
  };
  const call = async (method: string, container: string, suffix = '') => {
    const { token, storageUrl } = await login();
    return fetch(`${storageUrl}/${encodeURIComponent(container)}${suffix}`, { method, headers: { 'x-auth-token': token } });
  };
  const list = async (container: string) => {
    const res = await call('GET', container, '?format=json');
    if (res.status === 404 || res.status === 204) return [];
    return ((await res.json()) as Array<{ name: string }>).map((o) => o.name).sort();
  };
  return {
    url,
    auth,
    ...TEST_USER,
    login,
    list,
    async create(container) {
      const res = await call('PUT', container);
      if (res.status !== 201 && res.status !== 202) throw new Error(`PUT ${container} answered ${res.status}`);
    },
    async drop(container) {
      for (const name of await list(container)) await call('DELETE', container, `/${encodeURIComponent(name)}`);
      await call('DELETE', container);
    },
  };
}

/** The shared instance (8080); fails with how to start it when it does not answer. */
export async function sharedSwift(): Promise<SwiftInstance> {
  const swift = instance(8080);
  await swift.login();
  return swift;
}

/** A Swift of the suite's own, on other ports, that the suite may stop and start again. */
export interface OwnSwift extends SwiftInstance {
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it and removes its SWIFT_HOME. */
  remove(): Promise<void>;
}

/** Starts an own instance: ports `base` (proxy), `base+1..3` (object, container, account), `base+4` (memcached). */
export async function ownSwift(name: string, base: number): Promise<OwnSwift> {
  const dir = referenceSwiftDir();
  const home = `/tmp/gi-e2e-swift-${name}`;
  const env = {
    SWIFT_HOME: home,
    SWIFT_PORT: String(base),
    SWIFT_OBJECT_PORT: String(base + 1),
    SWIFT_CONTAINER_PORT: String(base + 2),
    SWIFT_ACCOUNT_PORT: String(base + 3),
    SWIFT_MEMCACHE_PORT: String(base + 4),
    SWIFT_BACKGROUND: '0',
  };
  const script = (s: string) => run('bash', [path.join(dir, s)], { cwd: REPO, env, timeoutMs: 120_000 }).then(() => undefined);
  // A run that was killed may have left this instance running: stop it (by its pidfiles) before wiping it.
  if (existsSync(home)) await script('stop.sh');
  rmSync(home, { recursive: true, force: true });
  await script('start.sh');
  return {
    ...instance(base),
    start: () => script('start.sh'),
    stop: () => script('stop.sh'),
    async remove() {
      await script('stop.sh');
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * The store groups `[objects]` (swift, the native API) and `[s3objects]` (s3) on `swift`, with small
 * sizes so that a few MiB already make segments (1,024,000 bytes each) and multipart uploads (parts
 * of 5 MiB): lines of a glance-api.conf.
 */
export function objectStoreGroups(swift: SwiftInstance, container: string, bucket: string): string[] {
  return [
    '[objects]',
    'swift_store_auth_version = 1',
    `swift_store_auth_address = ${swift.auth}`,
    `swift_store_user = ${swift.user}`,
    `swift_store_key = ${swift.key}`,
    `swift_store_container = ${container}`,
    'swift_store_large_object_size = 1',
    'swift_store_large_object_chunk_size = 1',
    '',
    '[s3objects]',
    `s3_store_host = ${swift.url}`,
    `s3_store_access_key = ${swift.user}`,
    `s3_store_secret_key = ${swift.key}`,
    `s3_store_bucket = ${bucket}`,
    's3_store_bucket_url_format = path',
    's3_store_large_object_size = 5',
    's3_store_large_object_chunk_size = 5',
    '',
  ];
}
