import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { reasonOf } from '@glance-import/core';
import { giError } from '../errors.js';
import { bodyFailure, HOP_HEADERS, hopTimeout, type HopOptions, type HopResponse } from './hop.js';
import { plainGet } from './plain-get.js';
import { redactUri, type ResolvedAddress } from './uri-filter.js';

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
 * Plain http goes through `plainGet`, which reads the body without Node's per-chunk copies.
 */
export function pinnedGet(url: URL, host: string, pinned: ResolvedAddress, o: HopOptions): Promise<HopResponse> {
  if (url.protocol === 'http:') return plainGet(url, pinned, o);
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
    headers: { ...HOP_HEADERS, ...o.headers },
    ...(url.username ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` } : {}),
  });
  const stop = (e: Error) => {
    failure ??= e;
    req.destroy(e);
  };
  const connectTimer = setTimeout(() => stop(hopTimeout(uri, 'connect', o.connectTimeoutMs)), o.connectTimeoutMs);
  const close = () => {
    clearTimeout(connectTimer);
    req.destroy();
  };

  req.on('socket', (s) => {
    s.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(connectTimer);
      s.setTimeout(o.readTimeoutMs, () => stop(hopTimeout(uri, 'read', o.readTimeoutMs)));
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
    const short = (expected: number) => bodyFailure.short(headLength === undefined ? n : raw - headLength, expected);
    try {
      try {
        for await (const chunk of res) {
          n += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
      } catch (e) {
        throw failure ?? fail(length !== undefined ? short(length) : bodyFailure.brokeOff(n, reasonOf(e)));
      }
      if (length !== undefined && n < length) throw fail(short(length));
      if (length !== undefined && headLength !== undefined && raw > headLength + length) throw fail(bodyFailure.long(length));
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
