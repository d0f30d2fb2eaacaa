import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

let h: Harness;
const sockets: net.Socket[] = [];
// A connection the server no longer reads would keep close() waiting: the test fails, it does not hang.
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  h?.server.app.server.closeAllConnections();
  await h?.close();
});

/** One keep-alive connection: send raw bytes, read until `until` has arrived. */
function connection(url: string) {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  sockets.push(socket);
  let got = '';
  let wake = () => {};
  socket.on('data', (d: Buffer) => {
    got += d.toString('latin1');
    wake();
  });
  socket.on('error', () => undefined);
  return {
    socket,
    /** Queued, not awaited: a server that stops reading must not stall the test before it reads. */
    write: (data: string | Buffer) => {
      socket.write(data);
    },
    /** Everything received once `pattern` matches it (at most 10 s). */
    async read(pattern: RegExp): Promise<string> {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(got)) {
        if (Date.now() > deadline) throw new Error(`no ${pattern} within 10 s; got ${JSON.stringify(got.slice(0, 300))}`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 50);
        });
      }
      const all = got;
      got = '';
      return all;
    },
  };
}

describe('a body refused half-way on a keep-alive connection', () => {
  it.each(['stage', 'file'])(
    'PUT %s over image_size_cap: the client that sends it all gets 413, and its next request on the connection is served',
    async (target) => {
      h = await harness({ ini: { DEFAULT: { image_size_cap: String(1024 * 1024) } } });
      const url = await h.server.listen('127.0.0.1', 0);
      const { id } = (await h.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
      const c = connection(url);
      c.write(
        `PUT /v2/images/${id}/${target} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: ${h.tokens.member}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      // Four times the cap, written in full before reading, as python-glanceclient does.
      const chunk = Buffer.alloc(64 * 1024, 1);
      for (let i = 0; i < 64; i++) c.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
      c.write('0\r\n\r\n');
      expect(await c.read(/\r\n\r\n[\s\S]*<\/html>/)).toMatch(/^HTTP\/1\.1 413 /);
      c.write('GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n');
      expect(await c.read(/\r\n\r\n./)).toMatch(/^HTTP\/1\.1 200 /);
      expect((await h.req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'queued', size: null });
    },
  );
});

describe('a shutdown with a keep-alive connection whose request is still being answered', () => {
  it('answers the request, then closes that connection, so close() does not wait out the keep-alive timeout', async () => {
    h = await harness();
    const url = await h.server.listen('127.0.0.1', 0);
    const { id } = (await h.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
    const c = connection(url);
    const closed = new Promise<void>((resolve) => c.socket.on('close', () => resolve()));
    c.write(
      `PUT /v2/images/${id}/stage HTTP/1.1\r\nHost: x\r\nX-Auth-Token: ${h.tokens.member}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`,
    );
    await new Promise((r) => setTimeout(r, 300));
    // As a browser console's connection is when the server is stopped under it.
    const closing = h.close();
    c.write('0\r\n\r\n');
    expect(await c.read(/\r\n\r\n/)).toMatch(/^HTTP\/1\.1 204 /);
    await closed;
    await closing;
    h = undefined as unknown as Harness;
  });
});

describe('a shutdown with a connection that never sent a request (a browser preconnect)', () => {
  it('closes it once the answers in flight had their time, instead of waiting out headersTimeout', async () => {
    h = await harness();
    const url = await h.server.listen('127.0.0.1', 0);
    const c = connection(url);
    await new Promise<void>((resolve) => c.socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => c.socket.on('close', () => resolve()));
    const started = Date.now();
    await h.close();
    await closed;
    // headersTimeout is 60 s; the close gives answers 3 s, then cuts what is left.
    expect(Date.now() - started).toBeLessThan(20_000);
    h = undefined as unknown as Harness;
  });
});
