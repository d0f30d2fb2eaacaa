import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { reasonOf } from '@glance-import/core';
import { giError } from '../errors.js';
import { redactUri, type ResolvedAddress } from './uri-filter.js';

export interface HopOptions {
  /** Until the connection is usable: TCP, and the TLS handshake for https. */
  connectTimeoutMs: number;
  /** Longest silence from the source, headers and body alike, before it counts as stalled. */
  readTimeoutMs: number;
  signal: AbortSignal;
  /** Extra request headers (glance-download sends the caller's token). */
  headers?: Record<string, string>;
}

export interface HopResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** Content-Length when the body is framed by it (absent with chunked encoding). */
  contentLength?: number;
  /** The body; fails on a stall, a connection that breaks off, or a length other than announced. */
  body: AsyncIterable<Buffer>;
  /** Drop the response without reading it (redirects, errors). */
  discard(): void;
}

/** Where the final response head ends in the raw bytes (skipping 1xx heads), if it has been seen. */
function headEnd(buf: Buffer): number | undefined {
  for (let start = 0; ;) {
    const end = buf.indexOf('\r\n\r\n', start);
    if (end < 0) return undefined;
    if (!/^HTTP\/\d\.\d 1\d\d/.test(buf.toString('latin1', start, start + 12))) return end + 4;
    start = end + 4;
  }
}

function contentLengthOf(h: IncomingHttpHeaders): number | undefined {
  if (h['transfer-encoding'] || h['content-length'] === undefined) return undefined;
  return /^\d+$/.test(h['content-length']) ? Number(h['content-length']) : undefined;
}

/**
 * One GET to `url`, connected to the address the filter checked: `lookup` answers with the pinned
 * address, so DNS is not asked again (no rebinding between check and connect), while Host and SNI
 * keep the name. Each request has its own socket (`agent: false`): nothing is shared or reused.
 */
export function pinnedGet(url: URL, host: string, pinned: ResolvedAddress, o: HopOptions): Promise<HopResponse> {
  const uri = redactUri(url.href);
  const fail = (reason: string) => giError('GI_METHOD_DOWNLOAD_FAILED', { uri, reason });
  // Answers asynchronously, as dns.lookup does, so net sees the order of events it expects.
  const lookup: LookupFunction = (_name, opts, cb) => process.nextTick(() => (opts.all ? cb(null, [pinned]) : cb(null, pinned.address, pinned.family)));
  const secure = url.protocol === 'https:';
  let failure: Error | undefined;
  let raw = 0;
  let head: Buffer | undefined = Buffer.alloc(0);
  let headLength: number | undefined;

  const req = (secure ? https : http).request({
    hostname: host,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    method: 'GET',
    agent: false,
    lookup,
    signal: o.signal,
    // The staged bytes must be the image itself, not a compressed transfer of it.
    headers: { 'accept-encoding': 'identity', 'user-agent': 'glance-import web-download', ...o.headers },
    ...(url.username ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
  });
  const stop = (e: Error) => {
    failure ??= e;
    req.destroy(e);
  };
  const connectTimer = setTimeout(
    () => stop(giError('GI_METHOD_DOWNLOAD_TIMEOUT', { uri, phase: 'connect', seconds: o.connectTimeoutMs / 1000 })),
    o.connectTimeoutMs,
  );
  const close = () => {
    clearTimeout(connectTimer);
    req.destroy();
  };

  req.on('socket', (s) => {
    s.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer);
      s.setTimeout(o.readTimeoutMs, () => stop(giError('GI_METHOD_DOWNLOAD_TIMEOUT', { uri, phase: 'read', seconds: o.readTimeoutMs / 1000 })));
    });
    // Counts what really arrived: the parser stops at Content-Length and drops anything after it.
    s.on('data', (chunk: Buffer) => {
      raw += chunk.length;
      if (!head) return;
      head = Buffer.concat([head, chunk]);
      headLength = headEnd(head);
      if (headLength !== undefined || head.length > 256 * 1024) head = undefined;
    });
  });

  async function* body(res: IncomingMessage, length: number | undefined): AsyncGenerator<Buffer> {
    let n = 0;
    // A stream that errors drops what it buffered, so count what arrived on the wire.
    const short = (expected: number) =>
      `the connection closed after ${headLength === undefined ? n : raw - headLength} of the ${expected} bytes announced by Content-Length`;
    try {
      try {
        for await (const chunk of res) {
          n += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      } catch (e) {
        throw failure ?? fail(length !== undefined ? short(length) : `the connection broke off after ${n} bytes (${reasonOf(e)})`);
      }
      if (length !== undefined && n < length) throw fail(short(length));
      if (length !== undefined && headLength !== undefined && raw > headLength + length)
        throw fail(`the source sent more than the ${length} bytes announced by Content-Length`);
      if (failure && !res.complete) throw failure;
    } finally {
      close();
    }
  }

  return new Promise<HopResponse>((resolve, reject) => {
    req.on('error', (e) => {
      failure ??= o.signal.aborted ? e : fail(reasonOf(e));
      clearTimeout(connectTimer);
      reject(failure);
    });
    req.on('response', (res) => {
      const length = contentLengthOf(res.headers);
      resolve({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? '',
        headers: res.headers,
        ...(length !== undefined ? { contentLength: length } : {}),
        body: body(res, length),
        discard: close,
      });
    });
    req.end();
  });
}
