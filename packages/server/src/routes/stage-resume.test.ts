import { existsSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requeueBrokenStages } from '../images/stage-recovery.js';
import { harness, type Harness } from '../testing/harness.fixture.js';

let h: Harness;
const sockets: net.Socket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  h?.server.app.server.closeAllConnections();
  await h?.close();
});

/** Data no format inspector mistakes for anything but raw. */
const data = Buffer.alloc(3 * 1024 * 1024 + 123, 0);
for (let i = 0; i < data.length; i += 4096) data.writeUInt32BE(i, i);

const octets = { 'content-type': 'application/octet-stream' };

/** PUT announcing all of `data` but sending only its first `send` bytes, then half-closing: a connection that broke. */
async function brokenStage(url: string, token: string, id: string, send: number, headers = ''): Promise<void> {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  socket.write(
    `PUT /v2/images/${id}/stage HTTP/1.1\r\nHost: x\r\nX-Auth-Token: ${token}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${data.length}\r\n${headers}\r\n`,
  );
  await new Promise((r) => socket.write(data.subarray(0, send), r));
  // Half-closed: every byte sent arrives, then the body ends short. The server's answer is not waited
  // for (it may keep its side open); the caller waits for the image to be queued again.
  socket.end();
  sockets.push(socket);
}

async function until<T>(probe: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await probe();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const stagingFiles = (id: string) => readdirSync(path.join(h.dataDir, 'staging')).filter((f) => f.startsWith(id));

async function setUp() {
  h = await harness();
  const url = await h.server.listen('127.0.0.1', 0);
  const { id } = (await h.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
  const head = async () => {
    const r = await h.req('HEAD', `/v2/images/${id}/stage`);
    return { status: r.status, state: r.headers['x-image-stage-state'], offset: Number(r.headers['x-image-stage-offset']) };
  };
  const status = async () => (await h.req('GET', `/v2/images/${id}`)).json.status as string;
  return { url, id: id as string, head, status };
}

describe('resumable staging (beyond Glance)', () => {
  it('a broken-off stage is kept at its offset; a wrong offset is refused with the right one; the rest completes it', async () => {
    const { url, id, head, status } = await setUp();
    expect(await head()).toEqual({ status: 200, state: 'none', offset: 0 });
    await brokenStage(url, h.tokens.member, id, 1_000_000);
    expect(await until(head, (x) => x.state === 'partial')).toMatchObject({ state: 'partial' });
    expect(await status()).toBe('queued');
    expect(await head()).toEqual({ status: 200, state: 'partial', offset: 1_000_000 });

    const wrong = await h.req('PUT', `/v2/images/${id}/stage`, {
      headers: { ...octets, 'content-range': `bytes 999-*/${data.length}` },
      payload: data.subarray(999),
    });
    expect(wrong.status).toBe(409);
    expect(wrong.text).toContain('GI_API_STAGE_OFFSET_MISMATCH');
    expect(wrong.text).toContain('holds 1000000 bytes');
    expect(wrong.headers['x-image-stage-offset']).toBe('1000000');
    expect(await status()).toBe('queued');
    expect(await head()).toEqual({ status: 200, state: 'partial', offset: 1_000_000 });

    const bad = await h.req('PUT', `/v2/images/${id}/stage`, { headers: { ...octets, 'content-range': 'bytes=5-' }, payload: 'x' });
    expect(bad.status).toBe(400);

    const rest = await h.req('PUT', `/v2/images/${id}/stage`, {
      headers: { ...octets, 'content-range': `bytes 1000000-*/${data.length}` },
      payload: data.subarray(1_000_000),
    });
    expect(rest.status).toBe(204);
    expect((await h.req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'uploading', size: data.length });
    expect(await head()).toEqual({ status: 200, state: 'complete', offset: data.length });
    expect(stagingFiles(id)).toEqual([id]);
    expect(readFileSync(path.join(h.dataDir, 'staging', id)).equals(data)).toBe(true);
  });

  it('a resume that ends short of the announced total is refused and keeps what it added', async () => {
    const { url, id, head, status } = await setUp();
    await brokenStage(url, h.tokens.member, id, 500_000);
    await until(head, (x) => x.state === 'partial');
    const short = await h.req('PUT', `/v2/images/${id}/stage`, {
      headers: { ...octets, 'content-range': `bytes 500000-*/${data.length}` },
      payload: data.subarray(500_000, 700_000),
    });
    expect(short.status).toBe(400);
    expect(await status()).toBe('queued');
    // A size mismatch is not a broken connection: nothing is kept.
    expect(await head()).toEqual({ status: 200, state: 'none', offset: 0 });
    expect(stagingFiles(id)).toEqual([]);
  });

  it('a plain PUT replaces a kept upload; DELETE /stage and deleting the image remove one', async () => {
    const { url, id, head, status } = await setUp();
    await brokenStage(url, h.tokens.member, id, 700_000);
    await until(head, (x) => x.state === 'partial');
    expect((await h.req('PUT', `/v2/images/${id}/stage`, { headers: octets, payload: data })).status).toBe(204);
    expect(stagingFiles(id)).toEqual([id]);
    expect(readFileSync(path.join(h.dataDir, 'staging', id)).equals(data)).toBe(true);

    expect((await h.req('DELETE', `/v2/images/${id}/stage`)).status).toBe(204);
    await brokenStage(url, h.tokens.member, id, 600_000);
    await until(head, (x) => x.state === 'partial');
    expect((await head()).offset).toBe(600_000);
    expect((await h.req('DELETE', `/v2/images/${id}/stage`)).status).toBe(204);
    expect(await head()).toEqual({ status: 200, state: 'none', offset: 0 });
    expect(stagingFiles(id)).toEqual([]);

    await brokenStage(url, h.tokens.member, id, 600_000);
    await until(head, (x) => x.state === 'partial');
    expect((await h.req('DELETE', `/v2/images/${id}`)).status).toBe(204);
    expect(stagingFiles(id)).toEqual([]);
  });

  it('at start-up an image left uploading by a killed stage goes back to queued, its upload kept for a resume and debris removed', async () => {
    const { url, id, head, status } = await setUp();
    await brokenStage(url, h.tokens.member, id, 800_000);
    await until(head, (x) => x.state === 'partial');
    const { db, staging } = h.server.runtime;
    // What a kill -9 during PUT /stage leaves: the image uploading, a kept upload, a plugin's leftover.
    await db.images.update(id, { columns: { status: 'uploading' } }, { fromStatus: ['queued'] });
    const debris = path.join(staging.dir, `${id}.decompressed`);
    await import('node:fs/promises').then((fs) => fs.writeFile(debris, 'x'));
    const silent = { warn: () => undefined } as unknown as Parameters<typeof requeueBrokenStages>[0]['log'];
    // Another node's stage (several nodes on one database) is not this node's to requeue.
    await db.images.update(id, { setProperties: { os_glance_stage_node: 'node-b' } });
    expect(await requeueBrokenStages({ db, staging, log: silent, node: 'node-a' })).toEqual([]);
    expect(await requeueBrokenStages({ db, staging, log: silent, node: 'node-b' })).toEqual([id]);
    expect(await status()).toBe('queued');
    expect(existsSync(debris)).toBe(false);
    expect(await head()).toEqual({ status: 200, state: 'partial', offset: 800_000 });
    // A plain Glance client simply stages again.
    expect((await h.req('PUT', `/v2/images/${id}/stage`, { headers: octets, payload: data })).status).toBe(204);
    expect(await status()).toBe('uploading');
    // An image with complete staged data is left alone.
    expect(await requeueBrokenStages({ db, staging, log: silent, node: 'node-b' })).toEqual([]);
  });
});
