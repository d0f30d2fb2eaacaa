// glance-direct into the object stores against the plain clients, in one run (only ratios to the
// baselines taken in the same run mean anything on these machines). Needs `pnpm build` and the reference
// Swift on 127.0.0.1:8080 (`bash ../shared/reference-swift/start.sh`).
//   BENCH_OBJECT_MIB=1024 BENCH_RUNS=2 pnpm bench
// For each store, with its default sizes: the import step of glance-direct (POST import → active: the
// staged file read once, md5 + sha512 taken, written to the store) against the same file sent by
// `swift upload` (one object, as the swift store writes an image below 5120 MB) and by a plain SDK
// multipart upload (lib-storage, 10 MiB parts, 10 in flight: what the s3 store does by default).
import { spawn, execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, openSync, writeFileSync, fsyncSync, closeSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

// The SDK's Node 20 notice would only clutter the table.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const MiB = 1024 * 1024;
const size = Number(process.env.BENCH_OBJECT_MIB ?? 1024) * MiB;
const runs = Number(process.env.BENCH_RUNS ?? 2);
const SWIFT = { url: 'http://127.0.0.1:8080', auth: 'http://127.0.0.1:8080/auth/v1.0', user: 'test:tester', key: 'testing' };
const REPO = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'gi-bench-objects-'));
const suffix = randomBytes(3).toString('hex');
const CONTAINER = `gi-bench-${suffix}`;
const BUCKET = `gi-bench-s3-${suffix}`;

// --- the data ---------------------------------------------------------------------------------
const src = path.join(dir, 'image.raw');
const block = randomBytes(MiB);
const fd = openSync(src, 'w');
for (let i = 0; i < size / MiB; i++) writeFileSync(fd, block);
fsyncSync(fd);
closeSync(fd);

// --- Swift, straight ------------------------------------------------------------------------------
async function swiftLogin() {
  const res = await fetch(SWIFT.auth, { headers: { 'x-auth-user': SWIFT.user, 'x-auth-key': SWIFT.key } }).catch((e) => {
    throw new Error(`no Swift on ${SWIFT.url} (${e.message}): start it with bash ../shared/reference-swift/start.sh`);
  });
  return { token: res.headers.get('x-auth-token'), url: res.headers.get('x-storage-url') };
}
async function swiftCall(method, p) {
  const { token, url } = await swiftLogin();
  return fetch(`${url}/${p}`, { method, headers: { 'x-auth-token': token } });
}
async function dropContainer(c) {
  const res = await swiftCall('GET', `${c}?format=json`);
  if (res.status === 200) for (const o of await res.json()) await swiftCall('DELETE', `${c}/${encodeURIComponent(o.name)}`);
  await swiftCall('DELETE', c);
}

// --- the service ----------------------------------------------------------------------------------
function startServe() {
  const conf = path.join(dir, 'glance-api.conf');
  writeFileSync(
    conf,
    [
      '[DEFAULT]',
      'enabled_backends = local:file, objects:swift, s3objects:s3',
      '',
      '[local]',
      `filesystem_store_datadir = ${path.join(dir, 'local')}`,
      '',
      '[objects]',
      'swift_store_auth_version = 1',
      `swift_store_auth_address = ${SWIFT.auth}`,
      `swift_store_user = ${SWIFT.user}`,
      `swift_store_key = ${SWIFT.key}`,
      `swift_store_container = ${CONTAINER}`,
      'swift_store_create_container_on_put = true',
      '',
      '[s3objects]',
      `s3_store_host = ${SWIFT.url}`,
      `s3_store_access_key = ${SWIFT.user}`,
      `s3_store_secret_key = ${SWIFT.key}`,
      `s3_store_bucket = ${BUCKET}`,
      's3_store_create_bucket_on_put = true',
      's3_store_bucket_url_format = path',
      '',
    ].join('\n'),
  );
  const child = spawn(
    process.execPath,
    [path.join(REPO, 'packages/cli/dist/bin.js'), 'serve', '--data-dir', path.join(dir, 'data'), '--port', '0', '--config-file', conf],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const url = /serving the Image API on (http:\/\/\S+)/.exec(out)?.[1];
      const token = /admin token: (gi_\S+)/.exec(out)?.[1];
      if (url && token) resolve({ url, token, stop: () => child.kill('SIGTERM') });
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}\n${out}`)));
  });
}

async function api(site, method, p, body, headers = {}) {
  const res = await fetch(`${site.url}${p}`, {
    method,
    headers: { 'x-auth-token': site.token, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (res.status >= 400) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.headers.get('content-type')?.includes('json') ? res.json() : res.text();
}

/** PUT /stage with the file streamed. */
function stage(site, id) {
  return new Promise((resolve, reject) => {
    const req = request(`${site.url}/v2/images/${id}/stage`, {
      method: 'PUT',
      headers: { 'x-auth-token': site.token, 'content-type': 'application/octet-stream', 'content-length': statSync(src).size },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(`stage: ${res.statusCode}`))));
    });
    req.on('error', reject);
    createReadStream(src, { highWaterMark: MiB }).pipe(req);
  });
}

async function glanceDirect(site, store) {
  const { id } = await api(site, 'POST', '/v2/images', { name: 'bench', disk_format: 'raw', container_format: 'bare' });
  await stage(site, id);
  const t = process.hrtime.bigint();
  await api(site, 'POST', `/v2/images/${id}/import`, { method: { name: 'glance-direct' }, stores: [store] });
  for (;;) {
    const [task] = (await api(site, 'GET', `/v2/images/${id}/tasks`)).tasks;
    if (task?.status === 'failure') throw new Error(`import into ${store} failed: ${task.message}`);
    if (task?.status === 'success' && (await api(site, 'GET', `/v2/images/${id}`)).status === 'active') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  await api(site, 'DELETE', `/v2/images/${id}`);
  return secs;
}

// --- the baselines --------------------------------------------------------------------------------
async function swiftUpload() {
  const name = `baseline-${randomUUID()}`;
  const t = process.hrtime.bigint();
  execFileSync('swift', ['-A', SWIFT.auth, '-U', SWIFT.user, '-K', SWIFT.key, 'upload', CONTAINER, src, '--object-name', name], { stdio: 'ignore' });
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  await swiftCall('DELETE', `${CONTAINER}/${name}`);
  return secs;
}

const s3 = new S3Client({
  endpoint: SWIFT.url,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: SWIFT.user, secretAccessKey: SWIFT.key },
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
});
async function sdkMultipart() {
  const Key = `baseline-${randomUUID()}`;
  const t = process.hrtime.bigint();
  await new Upload({
    client: s3,
    params: { Bucket: BUCKET, Key, Body: createReadStream(src, { highWaterMark: MiB }) },
    partSize: 10 * MiB,
    queueSize: 10,
  }).done();
  const secs = Number(process.hrtime.bigint() - t) / 1e9;
  await swiftCall('DELETE', `${BUCKET}/${Key}`);
  return secs;
}

// --- the run --------------------------------------------------------------------------------------
async function best(fn) {
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await fn());
  return Math.min(...times);
}

const site = await startServe();
try {
  // Warm both paths (containers created, connections, page cache) before timing.
  await glanceDirect(site, 'objects');
  await glanceDirect(site, 's3objects');
  const rows = [
    [
      'swift',
      'glance-direct into objects (swift store)',
      await best(() => glanceDirect(site, 'objects')),
      '`swift upload` of the file',
      await best(swiftUpload),
    ],
    [
      's3',
      'glance-direct into s3objects (s3 store)',
      await best(() => glanceDirect(site, 's3objects')),
      'SDK multipart (lib-storage, 10 MiB x 10)',
      await best(sdkMultipart),
    ],
  ];
  const mib = size / MiB;
  console.log(`${mib} MiB, best of ${runs} runs each; ratio = throughput / the baseline's (the import step: staged file → store, md5 + sha512 included)`);
  for (const [, ours, t, baseline, b] of rows) {
    console.log(
      `${ours.padEnd(44)} ${t.toFixed(2).padStart(6)} s ${(mib / t).toFixed(0).padStart(5)} MiB/s | ${baseline.padEnd(42)} ${b.toFixed(2).padStart(6)} s ${(mib / b).toFixed(0).padStart(5)} MiB/s | ratio ${(b / t).toFixed(2)}`,
    );
  }
} finally {
  site.stop();
  await dropContainer(CONTAINER).catch(() => undefined);
  await dropContainer(`${BUCKET}+segments`).catch(() => undefined);
  await dropContainer(BUCKET).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
