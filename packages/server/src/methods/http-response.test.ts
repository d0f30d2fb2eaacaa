import { describe, expect, it } from 'vitest';
import { MAX_HEAD, ResponseError, responseReader, type ResponseHead } from './http-response.js';

/** Feeds `parts` one push each; returns the head, the body as one string, and the reader. */
function read(...parts: Array<string | Buffer>) {
  let head: ResponseHead | undefined;
  const body: Buffer[] = [];
  const r = responseReader({ head: (h) => (head = h), body: (c) => body.push(c) });
  for (const p of parts) r.push(typeof p === 'string' ? Buffer.from(p, 'latin1') : p);
  return { head, body: Buffer.concat(body).toString('latin1'), reader: r, chunks: body };
}

const refused = (...parts: string[]) => {
  try {
    read(...parts);
  } catch (e) {
    expect(e).toBeInstanceOf(ResponseError);
    return (e as Error).message;
  }
  throw new Error('not refused');
};

/** Every way of cutting `text` in two. */
const splits = (text: string) => Array.from({ length: text.length - 1 }, (_, i) => [text.slice(0, i + 1), text.slice(i + 1)]);

describe('responseReader', () => {
  it('reads a head and a Content-Length body, passing body bytes on as views of what was fed', () => {
    const bytes = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\nhello');
    const { head, body, reader, chunks } = read(bytes);
    expect(head).toEqual({
      status: 200,
      statusText: 'OK',
      headers: { 'content-length': '5', 'x-a': '1, 2', 'set-cookie': ['a', 'b'] },
      framing: { length: 5 },
    });
    expect(body).toBe('hello');
    expect(chunks[0]!.buffer).toBe(bytes.buffer);
    expect(reader).toMatchObject({ done: true, bodyBytes: 5, extra: 0 });
  });

  it('reads a head split anywhere across reads, and skips 1xx heads', () => {
    const text = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.0 404 Not Found\r\nContent-Length: 3\r\n\r\nabc';
    for (const [a, b] of splits(text)) {
      const { head, body, reader } = read(a!, b!);
      expect(head).toMatchObject({ status: 404, statusText: 'Not Found', headers: { 'content-length': '3' } });
      expect(body).toBe('abc');
      expect(reader.done).toBe(true);
    }
  });

  it('counts bytes past Content-Length as extra', () => {
    expect(read('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nabcd', 'ef').reader).toMatchObject({ done: true, bodyBytes: 2, extra: 4 });
  });

  it('a short body is not done', () => {
    expect(read('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc').reader).toMatchObject({ done: false, bodyBytes: 3 });
  });

  it('decodes chunked bodies split anywhere across reads, with extensions and trailers', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=x\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nX-Trailer: y\r\n\r\n';
    for (const [a, b] of splits(text)) {
      const { head, body, reader } = read(a!, b!);
      expect(head!.framing).toBe('chunked');
      expect(body).toBe('hello 0123456789');
      expect(reader.done).toBe(true);
    }
    const { reader } = read(text.slice(0, -2));
    expect(reader.done).toBe(false);
  });

  it('a body without framing runs to the end of the connection; 204 and 304 have none', () => {
    const open = read('HTTP/1.0 200 OK\r\n\r\nab', 'cd');
    expect(open.head!.framing).toBe('close');
    expect(open).toMatchObject({ body: 'abcd', reader: { done: false } });
    expect(read('HTTP/1.1 204 No Content\r\n\r\n').reader.done).toBe(true);
    expect(read('HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n').reader.done).toBe(true);
  });

  it('accepts a status line without a reason phrase', () => {
    expect(read('HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n').head).toMatchObject({ status: 200, statusText: '' });
  });

  it('refuses what HTTP/1.1 does not allow or could be read two ways', () => {
    expect(refused('HTTP/2 200 OK\r\n\r\n')).toMatch(/does not start with an HTTP\/1\.x status line/);
    expect(refused('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n')).toBe('the response has 2 Content-Length headers');
    expect(refused('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n')).toBe('the response has 2 Content-Length headers');
    expect(refused('HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n')).toMatch(/an invalid Content-Length/);
    expect(refused('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')).toMatch(/an invalid Content-Length/);
    expect(refused('HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n')).toBe(
      'the response has both Transfer-Encoding and Content-Length',
    );
    expect(refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n')).toMatch(/transfer coding 'gzip, chunked'; only chunked/);
    expect(refused('HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n')).toMatch(/malformed header line/);
    expect(refused('HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n')).toMatch(/malformed header line/);
    expect(refused('HTTP/1.1 200 OK\r\nX-A: a\x01b\r\n\r\n')).toMatch(/control characters/);
    expect(refused('HTTP/1.1 101 Switching Protocols\r\n\r\n')).toMatch(/switched protocols/);
    expect(refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).toMatch(/chunk size line is malformed/);
    expect(refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX')).toMatch(/not followed by CRLF/);
    expect(refused('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\n')).toMatch(/does not end with CRLF/);
  });

  it('refuses a head larger than MAX_HEAD, fed at once or in pieces', () => {
    const big = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEAD)}\r\n\r\n`;
    expect(refused(big)).toBe(`the response head is larger than ${MAX_HEAD / 1024} KiB`);
    expect(refused(...big.match(/[\s\S]{1,1000}/g)!)).toBe(`the response head is larger than ${MAX_HEAD / 1024} KiB`);
  });
});
