import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { rawSource, sourcePool } from '../testing/http-sources.fixture.js';
import type { HopOptions } from './hop.js';
import { plainGet } from './plain-get.js';
import type { ResolvedAddress } from './uri-filter.js';

const pool = sourcePool();
afterEach(pool.closeAll);
const rawServer = async (answer: Parameters<typeof rawSource>[0]) => (await pool.serve(rawSource(answer))).port;

const opts = (o: Partial<HopOptions> = {}): HopOptions => ({ connectTimeoutMs: 5000, readTimeoutMs: 5000, signal: new AbortController().signal, ...o });
const pinned: ResolvedAddress = { address: '127.0.0.1', family: 4 };
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function bodyOf(res: { body: AsyncIterable<Buffer> }): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of res.body) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/** Writes `bytes` in pieces of random sizes, each in its own tick, then ends. */
async function dribble(s: Socket, bytes: Buffer) {
  for (let at = 0; at < bytes.length;) {
    const n = 1 + Math.floor(Math.random() * 200_000);
    s.write(bytes.subarray(at, at + n));
    at += n;
    await new Promise((r) => setImmediate(r));
  }
  s.end();
}

const data = randomBytes(3 * 1024 * 1024 + 17);

/** `data` in chunks of 1 byte, 64 KiB, 1 MiB and the rest. */
function chunkedData(): Buffer {
  const parts = [Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')];
  let at = 0;
  for (const size of [1, 65_536, 1_048_576, data.length - 1_114_113]) {
    parts.push(Buffer.from(`${size.toString(16)}\r\n`), data.subarray(at, at + size), Buffer.from('\r\n'));
    at += size;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

describe('plainGet', () => {
  it('connects to the pinned address; sends Host with the name, identity encoding, user agent, basic auth and extra headers', async () => {
    let request = '';
    const port = await rawServer((s, r) => {
      request = r;
      s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    });
    const url = new URL(`http://us%40r:p%3Ass@images.example.test:${port}/a/b.img?x=1#frag`);
    const res = await plainGet(url, pinned, opts({ headers: { 'x-auth-token': 'tok' } }));
    expect(res).toMatchObject({ status: 200, statusText: 'OK', contentLength: 2 });
    expect((await bodyOf(res)).toString()).toBe('ok');
    const lines = request.split('\r\n');
    expect(lines[0]).toBe('GET /a/b.img?x=1 HTTP/1.1');
    expect(lines).toEqual(
      expect.arrayContaining([
        `Host: images.example.test:${port}`,
        'accept-encoding: identity',
        'user-agent: glance-import web-download',
        'x-auth-token: tok',
        `authorization: Basic ${Buffer.from('us@r:p:ss').toString('base64')}`,
        'Connection: close',
      ]),
    );
  });

  it('reads large bodies exactly, framed by Content-Length, chunked, or by the connection closing, however the bytes arrive', async () => {
    const replies: Record<string, Buffer> = {
      '/length': Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`), data]),
      '/chunked': chunkedData(),
      '/close': Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\n\r\n'), data]),
    };
    const port = await rawServer((s, r) => void dribble(s, replies[r.split(' ')[1]!]!));
    for (const path of Object.keys(replies)) {
      const res = await plainGet(new URL(`http://127.0.0.1:${port}${path}`), pinned, opts());
      expect(res.contentLength, path).toBe(path === '/length' ? data.length : undefined);
      expect(md5(await bodyOf(res)), path).toBe(md5(data));
    }
  });

  it('a consumer slower than the source holds the source back, and its own pauses do not count as the source stalling', async () => {
    const port = await rawServer((s) => s.end(Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${data.length}\r\n\r\n`), data])));
    const res = await plainGet(new URL(`http://127.0.0.1:${port}/`), pinned, opts({ readTimeoutMs: 300 }));
    const parts: Buffer[] = [];
    for await (const c of res.body) {
      parts.push(Buffer.from(c));
      if (parts.length === 1) await new Promise((r) => setTimeout(r, 700));
    }
    expect(md5(Buffer.concat(parts))).toBe(md5(data));
  });

  it('reads into a block again once the consumer released all of it, never before', async () => {
    const big = randomBytes(8 * 1024 * 1024);
    const port = await rawServer((s) => void dribble(s, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${big.length}\r\n\r\n`), big])));
    const res = await plainGet(new URL(`http://127.0.0.1:${port}/`), pinned, opts());
    // Views are held, unread, for 2 MiB before they are checked against the source and released.
    const held: Array<{ view: Buffer; at: number }> = [];
    const blocks = new Set<ArrayBufferLike>();
    let done = 0;
    let checked = 0;
    for await (const c of res.body) {
      blocks.add(c.buffer);
      held.push({ view: c, at: done });
      done += c.length;
      while (held.length && held[0]!.at + held[0]!.view.length <= done - 2 * 1024 * 1024) {
        const h = held.shift()!;
        expect(h.view.equals(big.subarray(h.at, h.at + h.view.length))).toBe(true);
        checked = h.at + h.view.length;
        res.release!(checked);
      }
    }
    for (const h of held) expect(h.view.equals(big.subarray(h.at, h.at + h.view.length))).toBe(true);
    expect(done).toBe(big.length);
    expect(blocks.size).toBeLessThan(8);
  });

  it('fails a short body, bytes past Content-Length, and a chunked body cut off, in the words of the Node client path', async () => {
    const replies: Record<string, string> = {
      '/short': 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n' + 'y'.repeat(60),
      '/long': 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n' + 'z'.repeat(25),
      '/cut': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n',
    };
    const port = await rawServer((s, r) => s.end(replies[r.split(' ')[1]!]!));
    const failure = async (path: string) => {
      const res = await plainGet(new URL(`http://127.0.0.1:${port}${path}`), pinned, opts());
      return bodyOf(res).then(
        () => 'read',
        (e: Error) => e.message,
      );
    };
    expect(await failure('/short')).toBe(
      `Downloading http://127.0.0.1:${port}/short failed: the connection closed after 60 of the 100 bytes announced by Content-Length.`,
    );
    expect(await failure('/long')).toBe(
      `Downloading http://127.0.0.1:${port}/long failed: the source sent more than the 10 bytes announced by Content-Length.`,
    );
    expect(await failure('/cut')).toBe(
      `Downloading http://127.0.0.1:${port}/cut failed: the connection broke off after 5 bytes (it closed before the last chunk).`,
    );
  });

  it('a source that stalls fails with the read timeout, before the head and mid-body alike', async () => {
    const port = await rawServer((s, r) => {
      if (r.startsWith('GET /body')) s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc');
    });
    await expect(plainGet(new URL(`http://127.0.0.1:${port}/head`), pinned, opts({ readTimeoutMs: 200 }))).rejects.toMatchObject({
      code: 'GI_METHOD_DOWNLOAD_TIMEOUT',
      message: `Downloading http://127.0.0.1:${port}/head failed: the source sent nothing for 0.2 s.`,
    });
    const res = await plainGet(new URL(`http://127.0.0.1:${port}/body`), pinned, opts({ readTimeoutMs: 200 }));
    await expect(bodyOf(res)).rejects.toMatchObject({ code: 'GI_METHOD_DOWNLOAD_TIMEOUT' });
  });

  it('refuses a malformed response, and one that closes before answering', async () => {
    const port = await rawServer((s, r) => s.end(r.startsWith('GET /bad') ? 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n' : ''));
    await expect(plainGet(new URL(`http://127.0.0.1:${port}/bad`), pinned, opts())).rejects.toMatchObject({
      code: 'GI_METHOD_DOWNLOAD_FAILED',
      message: `Downloading http://127.0.0.1:${port}/bad failed: the response has 2 Content-Length headers.`,
    });
    await expect(plainGet(new URL(`http://127.0.0.1:${port}/none`), pinned, opts())).rejects.toMatchObject({
      message: expect.stringMatching(/failed: the connection closed before a response came\.$/),
    });
  });

  it('stops when its signal aborts, and refuses a header value that would split the request', async () => {
    let sockets = 0;
    const port = await rawServer(() => sockets++);
    const ac = new AbortController();
    const pending = plainGet(new URL(`http://127.0.0.1:${port}/`), pinned, opts({ signal: ac.signal }));
    while (sockets === 0) await new Promise((r) => setTimeout(r, 5));
    ac.abort(new Error('task cancelled'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError', cause: new Error('task cancelled') });
    await expect(plainGet(new URL(`http://127.0.0.1:${port}/`), pinned, opts({ headers: { 'x-a': 'a\r\nx-b: b' } }))).rejects.toMatchObject({
      message: expect.stringMatching(/the request header 'x-a' is not valid/),
    });
  });
});
