import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@glance-import/core';
import { openDatabase, type Database } from '@glance-import/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type GlanceServer } from '../app.js';
import { serverSchema } from '../options.js';
import { RELAYED_HEADER, relayToStageHost } from './stage-host.js';

// Two nodes on one database, each with its own staging directory and worker_self_reference_url:
// the import call is relayed to the node that staged the image, as Glance's distributed import does.

let dir: string;
let db: Database;
let token: string;
const nodes: GlanceServer[] = [];
const servers: http.Server[] = [];

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** A node listening on `port`, naming itself http://127.0.0.1:port (unless `named` is false). */
async function node(name: string, port: number, o: { named?: boolean } = {}): Promise<{ url: string; server: GlanceServer }> {
  const url = `http://127.0.0.1:${port}`;
  const overrides: Record<string, Record<string, unknown>> = o.named === false ? {} : { DEFAULT: { worker_self_reference_url: url } };
  const config = await loadConfig({ searchFrom: false, overrides, schema: serverSchema });
  const server = await createServer({ config, dataDir: path.join(dir, name), db, logger: { level: process.env.GI_TEST_LOG ?? 'silent' } });
  nodes.push(server);
  await server.listen('127.0.0.1', port);
  return { url, server };
}

/** A plain HTTP server on 127.0.0.1 answering every request with `answer`; the requests it got. */
async function fakeNode(answer: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const got: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      got.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      answer(req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, got };
}

async function call(base: string, method: string, p: string, o: { json?: unknown; body?: Buffer; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'x-auth-token': token, accept: 'application/json', ...o.headers };
  let body: string | Buffer | undefined = o.body;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${p}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as any) : undefined };
}

async function staged(base: string, data: Buffer): Promise<string> {
  const { json } = await call(base, 'POST', '/v2/images', { json: { name: 'staged', disk_format: 'raw', container_format: 'bare' } });
  expect((await call(base, 'PUT', `/v2/images/${json.id}/stage`, { body: data, headers: { 'content-type': 'application/octet-stream' } })).status).toBe(204);
  return json.id as string;
}

async function settled(base: string, id: string) {
  for (let i = 0; i < 500; i++) {
    const task = (await call(base, 'GET', `/v2/images/${id}/tasks`)).json.tasks[0];
    if (task && (task.status === 'success' || task.status === 'failure')) return task;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the import did not end');
}

const glanceDirect = { method: { name: 'glance-direct' } };
const stagingOf = (s: GlanceServer) => readdirSync(s.runtime.staging.dir);

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gi-stage-host-'));
  db = await openDatabase(`sqlite:///${path.join(dir, 'shared.sqlite')}`);
  token = await db.tokens.create({ userId: 'alice', projectId: 'p1', roles: ['member', 'reader'] });
});

afterEach(async () => {
  for (const n of nodes.splice(0)) await n.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('an import landing on a node that did not stage the image', () => {
  it('is relayed to the stage host with the caller’s token; the task runs there, as the caller, under the stage host’s request id', async () => {
    const a = await node('a', await freePort());
    const b = await node('b', await freePort());
    const data = Buffer.alloc(64 * 1024, 3);
    const id = await staged(a.url, data);
    expect(stagingOf(a.server)).toEqual([id]);
    expect(stagingOf(b.server)).toEqual([]);
    // Hidden from every view, on every node.
    expect((await call(b.url, 'GET', `/v2/images/${id}`)).json.os_glance_stage_host).toBeUndefined();

    const answer = await call(b.url, 'POST', `/v2/images/${id}/import`, { json: glanceDirect });
    expect(answer.status).toBe(202);
    const task = await settled(b.url, id);
    expect(task).toMatchObject({ status: 'success', user_id: 'alice', owner: 'p1' });
    expect(task.request_id).toBe(answer.headers.get('x-openstack-request-id'));
    expect((await call(b.url, 'GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'active', size: data.length });
    expect(stagingOf(a.server)).toEqual([]);
  });

  it('a node that names no URL of its own relays too: it is nobody’s stage host', async () => {
    const a = await node('a', await freePort());
    const b = await node('b', await freePort(), { named: false });
    const id = await staged(a.url, Buffer.alloc(2048, 4));
    expect((await call(b.url, 'POST', `/v2/images/${id}/import`, { json: glanceDirect })).status).toBe(202);
    expect((await settled(b.url, id)).status).toBe('success');
  });

  it('passes the stage host’s refusal through as it came (Glance: "409 Something Failed (tm)")', async () => {
    const b = await node('b', await freePort());
    const remote = await fakeNode((_req, res) => {
      res.writeHead(409, { 'content-type': 'application/json', 'x-openstack-request-id': 'req-remote' });
      res.end(JSON.stringify({ message: 'Something Failed (tm)' }));
    });
    const id = await staged(b.url, Buffer.alloc(1024, 1));
    await db.images.update(id, { setProperties: { os_glance_stage_host: remote.url } });
    const answer = await call(b.url, 'POST', `/v2/images/${id}/import`, { json: glanceDirect, headers: { 'x-image-meta-store': 'local' } });
    expect(answer).toMatchObject({ status: 409, json: { message: 'Something Failed (tm)' } });
    expect(answer.headers.get('x-openstack-request-id')).toBe('req-remote');
    expect(remote.got).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: `/v2/images/${id}/import`,
        body: JSON.stringify(glanceDirect),
        headers: expect.objectContaining({ 'x-auth-token': token, 'x-image-meta-store': 'local', [RELAYED_HEADER]: b.url }),
      }),
    ]);
    expect(await db.tasks.listForImage(id)).toEqual([]);
  });

  it('a stage host that is down: 504 "Stage host is unavailable" naming it, nothing changed; once it is back the same call imports', async () => {
    const portA = await freePort();
    let a = await node('a', portA);
    const b = await node('b', await freePort());
    const id = await staged(a.url, Buffer.alloc(4096, 9));
    await a.server.close();

    const refused = await call(b.url, 'POST', `/v2/images/${id}/import`, { json: glanceDirect });
    expect(refused.status).toBe(504);
    expect(refused.headers.get('x-glance-import-error-code')).toBe('GI_IMPORT_STAGE_HOST_UNREACHABLE');
    expect(refused.json).toMatchObject({ message: 'Stage host is unavailable', hint: expect.stringContaining(`staged on ${a.url}`) });
    const image = (await db.images.get(id))!;
    expect(image.status).toBe('uploading');
    expect(image.properties.os_glance_import_task).toBeUndefined();
    expect(await db.tasks.listForImage(id)).toEqual([]);

    a = await node('a', portA);
    expect((await call(b.url, 'POST', `/v2/images/${id}/import`, { json: glanceDirect })).status).toBe(202);
    expect((await settled(b.url, id)).status).toBe('success');
  });

  it('a relayed call runs where it lands, whatever that node thinks the stage host is: two nodes never pass a call back and forth', async () => {
    const b = await node('b', await freePort());
    const id = await staged(b.url, Buffer.alloc(1024, 1));
    await db.images.update(id, { setProperties: { os_glance_stage_host: 'http://127.0.0.1:9/' } });
    const answer = await call(b.url, 'POST', `/v2/images/${id}/import`, { json: glanceDirect, headers: { [RELAYED_HEADER]: 'http://127.0.0.1:9' } });
    expect(answer.status).toBe(202);
    expect((await settled(b.url, id)).status).toBe('success');
  });

  it('web-download and copy-image are never relayed: only glance-direct reads data where it was staged', async () => {
    const b = await node('b', await freePort());
    const id = await staged(b.url, Buffer.alloc(1024, 1));
    await db.images.update(id, { setProperties: { os_glance_stage_host: 'http://127.0.0.1:9' } });
    const answer = await call(b.url, 'POST', `/v2/images/${id}/import`, { json: { method: { name: 'web-download', uri: 'https://example.com/x' } } });
    // Judged here, as Glance does: web-download needs a queued image.
    expect(answer).toMatchObject({ status: 409, json: { message: "Image needs to be in 'queued' state to use 'web-download' method" } });
  });
});

describe('deleting an image staged on another node', () => {
  it('is relayed to the stage host, which deletes the image and its staged data', async () => {
    const a = await node('a', await freePort());
    const b = await node('b', await freePort());
    const id = await staged(a.url, Buffer.alloc(2048, 5));
    expect((await call(b.url, 'DELETE', `/v2/images/${id}`)).status).toBe(204);
    expect((await call(a.url, 'GET', `/v2/images/${id}`)).status).toBe(404);
    expect(stagingOf(a.server)).toEqual([]);
  });

  it('passes the stage host’s refusal through; a stage host that is down leaves the delete to this node', async () => {
    const b = await node('b', await freePort());
    const remote = await fakeNode((_req, res) => {
      res.writeHead(409, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Something Failed (tm)' }));
    });
    const id = await staged(b.url, Buffer.alloc(1024, 1));
    await db.images.update(id, { setProperties: { os_glance_stage_host: remote.url } });
    expect(await call(b.url, 'DELETE', `/v2/images/${id}`)).toMatchObject({ status: 409, json: { message: 'Something Failed (tm)' } });
    expect(remote.got).toMatchObject([{ method: 'DELETE', url: `/v2/images/${id}` }]);
    await db.images.update(id, { setProperties: { os_glance_stage_host: `http://127.0.0.1:${await freePort()}` } });
    expect((await call(b.url, 'DELETE', `/v2/images/${id}`)).status).toBe(204);
    expect((await call(b.url, 'GET', `/v2/images/${id}`)).status).toBe(404);
  });
});

describe('relayToStageHost', () => {
  it('a stage host that takes the call but never answers: 502 GI_IMPORT_STAGE_HOST_FAILED after the timeout', async () => {
    const silent = await fakeNode(() => {});
    await expect(
      relayToStageHost(
        silent.url,
        { method: 'POST', path: '/v2/images/x/import', headers: {}, body: '{}' },
        { selfUrl: 'http://b', imageId: 'x', timeoutMs: 200 },
      ),
    ).rejects.toMatchObject({
      code: 'GI_IMPORT_STAGE_HOST_FAILED',
      status: 502,
      message: 'Stage host is unavailable',
      hint: expect.stringContaining('no answer within 0.2 s'),
    });
  });

  it('hop-by-hop headers stay here; the caller’s others go along, and the answer keeps its status, body, request id and error code', async () => {
    const remote = await fakeNode((_req, res) => {
      res.writeHead(403, { 'content-type': 'text/html', 'x-openstack-request-id': 'req-r', 'x-glance-import-error-code': 'GI_API_FORBIDDEN', 'x-other': '1' });
      res.end('no');
    });
    const answer = await relayToStageHost(
      `${remote.url}/`,
      {
        method: 'POST',
        path: '/v2/images/x/import',
        headers: { connection: 'keep-alive', host: 'lb:9292', 'x-roles': 'member', accept: 'text/html' },
        body: '{}',
      },
      { selfUrl: 'http://b', imageId: 'x' },
    );
    expect(answer).toEqual({
      status: 403,
      headers: { 'content-type': 'text/html', 'x-openstack-request-id': 'req-r', 'x-glance-import-error-code': 'GI_API_FORBIDDEN' },
      body: Buffer.from('no'),
    });
    expect(remote.got[0]!.headers).toMatchObject({ 'x-roles': 'member', accept: 'text/html', [RELAYED_HEADER]: 'http://b' });
    expect(remote.got[0]!.headers.host).toBe(new URL(remote.url).host);
  });
});
