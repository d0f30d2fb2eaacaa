// One client path for both servers: plain HTTP/1.1 with the same headers, the upload streamed
// from the file with its length announced.
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
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

/** PUT /stage with the file streamed. */
export function stage(site, id, file) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${site.url}/v2/images/${id}/stage`, {
      method: 'PUT',
      agent,
      headers: { ...IDENTITY, 'content-type': 'application/octet-stream', 'content-length': statSync(file).size },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(`${site.name}: stage: ${res.statusCode}`))));
    });
    req.on('error', reject);
    createReadStream(file, { highWaterMark: 1 << 20 }).pipe(req);
  });
}

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
    const t = process.hrtime.bigint();
    await stage(site, id, file);
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
