import type { IncomingHttpHeaders } from 'node:http';

/**
 * A small, strict reader of one HTTP/1.1 response to a GET, fed the bytes as they arrive
 * (`plain-get.ts` reads them into its own buffers). Body bytes are passed on as views of the bytes
 * fed, never copied. Anything HTTP/1.1 does not allow, or that could be read two ways (a head too
 * large, conflicting Content-Length, Content-Length beside Transfer-Encoding, a transfer coding
 * other than chunked), is refused with a ResponseError rather than guessed at.
 */

/** How the end of the body is known (RFC 9112 6.3). */
export type Framing = { length: number } | 'chunked' | 'close';

export interface ResponseHead {
  status: number;
  statusText: string;
  /** As Node's http client gives them: lower-case names, repeats joined (set-cookie a list, a few kept first). */
  headers: IncomingHttpHeaders;
  framing: Framing;
}

export class ResponseError extends Error {}

export interface ResponseReader {
  /** Feeds the next bytes of the connection; throws ResponseError on a response HTTP/1.1 does not allow. */
  push(bytes: Buffer): void;
  readonly head: ResponseHead | undefined;
  /** Body bytes passed on so far. */
  readonly bodyBytes: number;
  /** The body ended as its framing says (a close-framed body never does: its end is the connection's). */
  readonly done: boolean;
  /** Bytes that came after the end of the body. */
  readonly extra: number;
}

export const MAX_HEAD = 64 * 1024;
const MAX_LINE = 4096;
const CRLFCRLF = Buffer.from('\r\n\r\n');
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible characters, spaces and tabs, and obs-text; no other control characters.
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// Node's http client keeps the first of these when a response repeats them.
const FIRST_WINS = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

function parseHead(text: string): ResponseHead {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/.exec(statusLine);
  if (!m) throw new ResponseError(`the response does not start with an HTTP/1.x status line ('${statusLine.slice(0, 40)}')`);
  const status = Number(m[1]);
  const headers: IncomingHttpHeaders = {};
  const lengths: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    // A folded line (leading space) or a name with spaces before the colon is refused, as RFC 9112 asks.
    if (colon < 1 || !TOKEN.test(name)) throw new ResponseError(`the response has a malformed header line ('${line.slice(0, 40)}')`);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!VALUE.test(value)) throw new ResponseError(`the response header '${name}' has control characters in its value`);
    if (name === 'content-length') lengths.push(value);
    const had = headers[name];
    if (name === 'set-cookie') headers['set-cookie'] = [...(headers['set-cookie'] ?? []), value];
    else if (had === undefined) headers[name] = value;
    else if (!FIRST_WINS.has(name)) headers[name] = `${had as string}, ${value}`;
  }
  return { status, statusText: m[2] ?? '', headers, framing: framingOf(status, headers, lengths) };
}

function framingOf(status: number, headers: IncomingHttpHeaders, lengths: string[]): Framing {
  if (status === 204 || status === 304) return { length: 0 };
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    if (lengths.length) throw new ResponseError('the response has both Transfer-Encoding and Content-Length');
    if (te.toLowerCase() !== 'chunked') throw new ResponseError(`the response uses transfer coding '${te}'; only chunked is supported`);
    return 'chunked';
  }
  if (lengths.length > 1) throw new ResponseError(`the response has ${lengths.length} Content-Length headers`);
  if (lengths.length === 0) return 'close';
  if (!/^\d{1,15}$/.test(lengths[0]!)) throw new ResponseError(`the response has an invalid Content-Length ('${lengths[0]!.slice(0, 20)}')`);
  return { length: Number(lengths[0]) };
}

type State = 'head' | 'length' | 'close' | 'size' | 'data' | 'data-end' | 'trailer' | 'done';

export function responseReader(on: { head(head: ResponseHead): void; body(chunk: Buffer): void }): ResponseReader {
  let state: State = 'head';
  let head: ResponseHead | undefined;
  // Head bytes seen so far when the head is split across reads; a chunk-size or trailer line likewise.
  let partial: Buffer = Buffer.alloc(0);
  let line = '';
  let trailerBytes = 0;
  let remaining = 0;
  let crlf = 0;
  let bodyBytes = 0;
  let extra = 0;

  const emit = (chunk: Buffer) => {
    bodyBytes += chunk.length;
    on.body(chunk);
  };

  /** Reads heads (skipping 1xx) from `bytes` at `at`; returns where the body starts, or -1 when more is needed. */
  function readHead(bytes: Buffer, at: number): number {
    for (;;) {
      const joined = partial.length ? Buffer.concat([partial, bytes.subarray(at)]) : bytes.subarray(at);
      const end = joined.indexOf(CRLFCRLF, Math.max(0, partial.length - 3));
      if (end < 0 || end > MAX_HEAD) {
        if (joined.length > MAX_HEAD) throw new ResponseError(`the response head is larger than ${MAX_HEAD / 1024} KiB`);
        partial = Buffer.from(joined);
        return -1;
      }
      const next = at + end + 4 - partial.length;
      const h = parseHead(joined.toString('latin1', 0, end));
      partial = Buffer.alloc(0);
      at = next;
      if (h.status >= 200) {
        head = h;
        return at;
      }
      // 101 would switch protocols, which a GET never asked for; other 1xx heads precede the real one.
      if (h.status === 101) throw new ResponseError('the source switched protocols (101)');
    }
  }

  /** Reads one CRLF-ended line starting at `at` into `line`; returns where it ended, or -1 when more is needed. */
  function readLine(bytes: Buffer, at: number, what: string): number {
    const lf = bytes.indexOf(10, at);
    const piece = bytes.toString('latin1', at, lf < 0 ? bytes.length : lf + 1);
    line += piece;
    if (line.length > MAX_LINE) throw new ResponseError(`a ${what} line is longer than ${MAX_LINE} bytes`);
    if (lf < 0) return -1;
    if (!line.endsWith('\r\n')) throw new ResponseError(`a ${what} line does not end with CRLF`);
    return lf + 1;
  }

  function step(bytes: Buffer, at: number): number {
    switch (state) {
      case 'head': {
        const next = readHead(bytes, at);
        if (next < 0) return bytes.length;
        on.head(head!);
        const f = head!.framing;
        state = f === 'close' ? 'close' : f === 'chunked' ? 'size' : f.length > 0 ? 'length' : 'done';
        remaining = f !== 'close' && f !== 'chunked' ? f.length : 0;
        return next;
      }
      case 'close':
        emit(at === 0 ? bytes : bytes.subarray(at));
        return bytes.length;
      case 'length':
      case 'data': {
        const n = Math.min(remaining, bytes.length - at);
        emit(at === 0 && n === bytes.length ? bytes : bytes.subarray(at, at + n));
        remaining -= n;
        if (remaining === 0) state = state === 'length' ? 'done' : 'data-end';
        return at + n;
      }
      case 'size': {
        const next = readLine(bytes, at, 'chunk size');
        if (next < 0) return bytes.length;
        const m = /^([0-9a-fA-F]{1,13})[ \t]*(?:;[^\r\n]*)?\r\n$/.exec(line);
        if (!m) throw new ResponseError(`a chunk size line is malformed ('${line.trim().slice(0, 40)}')`);
        line = '';
        remaining = parseInt(m[1]!, 16);
        state = remaining > 0 ? 'data' : 'trailer';
        return next;
      }
      case 'data-end': {
        for (; crlf < 2 && at < bytes.length; crlf++, at++) {
          if (bytes[at] !== (crlf === 0 ? 13 : 10)) throw new ResponseError('a chunk is not followed by CRLF');
        }
        if (crlf === 2) {
          crlf = 0;
          state = 'size';
        }
        return at;
      }
      case 'trailer': {
        const next = readLine(bytes, at, 'trailer');
        if (next < 0) return bytes.length;
        trailerBytes += line.length;
        if (trailerBytes > MAX_HEAD) throw new ResponseError(`the response trailer is larger than ${MAX_HEAD / 1024} KiB`);
        if (line === '\r\n') state = 'done';
        line = '';
        return next;
      }
      case 'done':
        extra += bytes.length - at;
        return bytes.length;
    }
  }

  return {
    push(bytes) {
      for (let at = 0; at < bytes.length;) at = step(bytes, at);
    },
    get head() {
      return head;
    },
    get bodyBytes() {
      return bodyBytes;
    },
    get done() {
      return state === 'done';
    },
    get extra() {
      return extra;
    },
  };
}
