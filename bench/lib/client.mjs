// One client path for both servers: plain HTTP/1.1 with the same headers, the upload sent from the
// file with its length announced.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { IDENTITY } from './servers.mjs';
import { secondsSince } from './stats.mjs';

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function call(site, method, p, body) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(`${site.url}${p}`, {
      method,
      agent,
      headers: { ...IDENTITY, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
    });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode >= 400) return reject(new Error(`${site.name}: ${method} ${p}: ${res.statusCode} ${text.slice(0, 300)}`));
        resolve(text && (res.headers['content-type'] ?? '').includes('json') ? JSON.parse(text) : undefined);
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export const createImage = async (site, o = {}) =>
  (await call(site, 'POST', '/v2/images', { name: 'bench', disk_format: 'raw', container_format: 'bare', ...o })).id;

const SENDFILE_PUT = path.join(import.meta.dirname, 'sendfile-put.py');

/**
 * PUT /stage of the file, sent with sendfile(2) by a small Python client (sendfile-put.py): connected
 * and waiting when this resolves; `go()` sends it and resolves on the 204. The same bytes and headers
 * for both servers, and almost no CPU taken from them.
 */
export function readyStage(site, id, file) {
  const { hostname, port } = new URL(site.url);
  const child = spawn('python3', [SENDFILE_PUT, hostname, port, `/v2/images/${id}/stage`, file, JSON.stringify(IDENTITY)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const line = async (what) => {
    const l = await lines.next();
    if (l.done) throw new Error(`${site.name}: stage: the uploader exited ${await exited} before ${what}`);
    return l.value;
  };
  return line('it connected').then(() => ({
    async go() {
      child.stdin.end('go\n');
      const status = await line('an answer');
      await exited;
      if (status !== '204') throw new Error(`${site.name}: stage: ${status}`);
    },
  }));
}

/** PUT /stage of the file (readyStage, sent at once). */
export const stage = async (site, id, file) => (await readyStage(site, id, file)).go();

export const startImport = (site, id, method, extra = {}) =>
  call(site, 'POST', `/v2/images/${id}/import`, { method: { name: 'glance-direct', ...method }, ...extra });

/** Polls the image until it is active; an import that fails (the image falls back) throws. */
export async function active(site, id, { timeoutS = 900 } = {}) {
  const t = process.hrtime.bigint();
  let seen = false;
  for (;;) {
    const img = await call(site, 'GET', `/v2/images/${id}`);
    if (img.status === 'active') return img;
    if (img.status === 'importing') seen = true;
    else if (seen || ['killed', 'deleted'].includes(img.status)) throw new Error(`${site.name}: import of ${id} failed (image is ${img.status})`);
    if (secondsSince(t) > timeoutS) throw new Error(`${site.name}: import of ${id} did not finish in ${timeoutS} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const remove = (site, id) => call(site, 'DELETE', `/v2/images/${id}`).catch(() => undefined);

/**
 * glance-direct of `file`: seconds from the start of PUT /stage to active, and of the import step
 * alone (POST import → active).
 */
export async function glanceDirect(site, file, { stores, imageProps } = {}) {
  const id = await createImage(site, imageProps);
  try {
    const upload = await readyStage(site, id, file);
    const t = process.hrtime.bigint();
    await upload.go();
    const i = process.hrtime.bigint();
    await startImport(site, id, {}, stores ? { stores } : {});
    await active(site, id);
    return { total: secondsSince(t), importStep: secondsSince(i) };
  } finally {
    await remove(site, id);
  }
}

/** web-download of `uri`: seconds from POST import to active. */
export async function webDownload(site, uri) {
  const id = await createImage(site);
  try {
    const t = process.hrtime.bigint();
    await startImport(site, id, { name: 'web-download', uri });
    await active(site, id);
    return secondsSince(t);
  } finally {
    await remove(site, id);
  }
}
