import { randomBytes, createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { restOfBody, takeOverBody } from './body-takeover.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function serve(handler: Handler): Promise<number> {
  // As fastify answers: the handler runs after the request event, once the parser has gone on.
  const server = http.createServer((req, res) => setImmediate(() => void handler(req, res)));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

/** Sends `head` then `body` in pieces with pauses; resolves with everything the server answered. */
function rawRequest(port: number, head: string, body: Buffer, piece = 200_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const answer: Buffer[] = [];
    socket.on('data', (d) => answer.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(answer).toString('latin1')));
    socket.once('connect', async () => {
      socket.write(head);
      for (let at = 0; at < body.length; at += piece) {
        socket.write(body.subarray(at, at + piece));
        await new Promise((r) => setTimeout(r, 2));
      }
    });
  });
}

const putHead = (size: number, extra = '') => `PUT /x HTTP/1.1\r\nHost: t\r\nContent-Length: ${size}\r\n${extra}\r\n`;

async function md5Of(source: AsyncIterable<Buffer>): Promise<{ md5: string; size: number }> {
  const h = createHash('md5');
  let size = 0;
  for await (const c of source) {
    h.update(c);
    size += c.length;
  }
  return { md5: h.digest('hex'), size };
}

describe('takeOverBody', () => {
  it('reads a Content-Length body off the socket byte for byte, then closes the connection after the answer', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 17);
    let took = false;
    const port = await serve(async (req, res) => {
      const body = takeOverBody(req, res);
      took = body !== undefined;
      const { md5, size } = await md5Of(body ?? req);
      expect(req.complete).toBe(true);
      res.end(`${md5} ${size}`);
    });
    const answer = await rawRequest(port, putHead(data.length), data);
    expect(took).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    expect(answer.endsWith(`${createHash('md5').update(data).digest('hex')} ${data.length}`)).toBe(true);
  });

  it('reads into blocks the reader released again, without touching bytes it still holds', async () => {
    const data = randomBytes(24 * 1024 * 1024 + 5);
    const blocks = new Set<ArrayBufferLike>();
    const port = await serve(async (req, res) => {
      const body = takeOverBody(req, res)!;
      const h = createHash('md5');
      let done = 0;
      // Holds each chunk for a while, as a file writer's batch does, and releases what it let go of.
      const held: Buffer[] = [];
      for await (const c of body) {
        blocks.add(c.buffer);
        held.push(c);
        if (held.length > 8) {
          const old = held.shift()!;
          h.update(old);
          done += old.length;
          body.release(done);
        }
      }
      for (const c of held) h.update(c);
      res.end(h.digest('hex'));
    });
    const answer = await rawRequest(port, putHead(data.length), data, 1024 * 1024);
    expect(answer.endsWith(createHash('md5').update(data).digest('hex'))).toBe(true);
    expect(blocks.size).toBeLessThan(16);
  });

  it('leaves a chunked body, and one already parsed whole, to Node', async () => {
    const seen: Array<boolean> = [];
    const port = await serve(async (req, res) => {
      seen.push(takeOverBody(req, res) !== undefined);
      const { size } = await md5Of(req);
      res.end(String(size));
    });
    const chunked = await rawRequest(
      port,
      'PUT /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
      Buffer.from('5\r\nhello\r\n0\r\n\r\n'),
    );
    expect(chunked).toMatch(/\r\n\r\n5$/);
    const res = await fetch(`http://127.0.0.1:${port}/x`, { method: 'PUT', body: 'small' });
    expect(await res.text()).toBe('5');
    expect(seen).toEqual([false, false]);
  });

  it('fails the reading when the client goes away before the end of the data', async () => {
    let failure: unknown;
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const port = await serve(async (req, res) => {
      try {
        await md5Of(takeOverBody(req, res)!);
      } catch (e) {
        failure = e;
      }
      res.destroy();
      done();
    });
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(putHead(4 * 1024 * 1024));
    socket.write(randomBytes(300_000));
    await new Promise((r) => setTimeout(r, 50));
    socket.destroy();
    await finished;
    expect(String(failure)).toMatch(/closed before the end of the data/);
  });

  it('after a refusal that stops reading, drops the rest of the body before the answer, which the client then gets', async () => {
    const data = randomBytes(8 * 1024 * 1024);
    let kept = 0;
    const port = await serve(async (req, res) => {
      const body = takeOverBody(req, res)!;
      for await (const c of body) {
        kept += c.length;
        if (kept >= 1024 * 1024) break;
      }
      await restOfBody(req);
      expect(req.complete).toBe(true);
      expect(restOfBody(req)).toBeUndefined();
      res.statusCode = 413;
      res.end('too large');
    });
    const answer = await rawRequest(port, putHead(data.length), data);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.endsWith('too large')).toBe(true);
    expect(kept).toBeLessThan(data.length);
  });
});
