import net from 'node:net';
import { reasonOf } from '@glance-import/core';
import { giError } from '../errors.js';
import { bodyFailure, HOP_HEADERS, hopTimeout, type HopOptions, type HopResponse } from './hop.js';
import { ResponseError, responseReader } from './http-response.js';
import { redactUri, type ResolvedAddress } from './uri-filter.js';

/**
 * A GET over plain http on a socket whose reads go straight into our own blocks (`onread`): one
 * read takes whatever the kernel holds, up to a block, and body bytes reach the consumer as views
 * of it. Node's http client reads 64 KiB at a time and copies each body chunk in its parser; for a
 * 1 GiB image on loopback that cost the main thread about a CPU second. https keeps Node's client.
 */

/**
 * Reads go into free space of a block this large. A full block is read into again once the consumer
 * released all it holds of it (`release`): fresh memory for every MiB cost page faults and, as
 * external memory, a major GC every 64 MiB.
 */
const BLOCK = 1024 * 1024;
/**
 * Full blocks remembered until released, once the consumer releases at all (one further behind, or
 * one that never releases, leaves them to the GC), and blocks kept spare.
 */
const RETIRED = 16;
const SPARE = 4;
/** Less free space than this left in a block, the next read takes a new one: reads stay large. */
const MIN_READ = 64 * 1024;
/** Body bytes waiting for the consumer before the socket stops reading (backpressure). */
const HIGH_WATER = 2 * 1024 * 1024;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function requestOf(url: URL, extra: Record<string, string> = {}): string {
  const auth = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  const headers: Record<string, string> = {
    ...HOP_HEADERS,
    ...extra,
    ...(auth !== undefined ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}),
  };
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`];
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name) || /[\0\r\n]/.test(value)) throw new Error(`the request header '${name}' is not valid`);
    lines.push(`${name}: ${value}`);
  }
  // One request per connection, as with Node's client without an agent: nothing is reused.
  lines.push('Connection: close', '', '');
  return lines.join('\r\n');
}

const abortErrorOf = (signal: AbortSignal) =>
  Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });

/** `pinnedGet` for `http:` URLs: connects to `pinned` (no DNS lookup), Host names the URL's host. */
export function plainGet(url: URL, pinned: ResolvedAddress, o: HopOptions): Promise<HopResponse> {
  const uri = redactUri(url.href);
  const fail = (reason: string) => giError('GI_METHOD_DOWNLOAD_FAILED', { uri, reason });
  let request: string;
  try {
    request = requestOf(url, o.headers);
  } catch (e) {
    return Promise.reject(fail(reasonOf(e)));
  }
  if (o.signal.aborted) return Promise.reject(abortErrorOf(o.signal));

  return new Promise<HopResponse>((resolve, reject) => {
    const queue: Buffer[] = [];
    let queued = 0;
    let failure: Error | undefined;
    let closed = false;
    let answered = false;
    let paused = false;
    let wake: (() => void) | undefined;
    let block: Buffer = Buffer.allocUnsafeSlow(BLOCK);
    let fill = 0;
    // Body bytes read so far when `block` was last read into: it holds none past this offset.
    let blockBodyEnd = 0;
    const retired: Array<{ block: Buffer; bodyEnd: number }> = [];
    const spare: Buffer[] = [];
    let releasing = false;
    const release = (bytes: number) => {
      releasing = true;
      while (retired.length && retired[0]!.bodyEnd <= bytes) {
        const r = retired.shift()!;
        if (spare.length < SPARE) spare.push(r.block);
      }
    };

    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const onAbort = () => stop(abortErrorOf(o.signal));
    const finish = () => {
      if (closed) return;
      closed = true;
      clearTimeout(connectTimer);
      o.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      notify();
    };
    function stop(e: Error) {
      if (closed) return;
      failure = e;
      finish();
      if (!answered) reject(e);
    }
    const resume = () => {
      paused = false;
      socket.setTimeout(o.readTimeoutMs);
      socket.resume();
    };

    async function* body(): AsyncGenerator<Buffer> {
      try {
        for (;;) {
          const chunk = queue.shift();
          if (chunk) {
            queued -= chunk.length;
            if (paused && !closed && queued <= HIGH_WATER / 2) resume();
            yield chunk;
          } else if (failure) throw failure;
          else if (closed) return;
          else await new Promise<void>((r) => (wake = r));
        }
      } finally {
        finish();
      }
    }

    const reader = responseReader({
      head(h) {
        answered = true;
        const length = typeof h.framing === 'object' && h.headers['content-length'] !== undefined ? h.framing.length : undefined;
        resolve({
          status: h.status,
          statusText: h.statusText,
          headers: h.headers,
          ...(length !== undefined ? { contentLength: length } : {}),
          body: body(),
          discard: finish,
          release,
        });
      },
      body(chunk) {
        // Consecutive reads into one block are one run of memory: handed on as one view.
        const last = queue[queue.length - 1];
        if (last && last.buffer === chunk.buffer && last.byteOffset + last.length === chunk.byteOffset) {
          queue[queue.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + chunk.length);
        } else queue.push(chunk);
        queued += chunk.length;
        notify();
      },
    });

    /** Called with each read; false stops reading until the consumer catches up. */
    function onRead(nread: number, buf: Buffer): boolean {
      fill += nread;
      try {
        reader.push(buf.subarray(0, nread));
        blockBodyEnd = reader.bodyBytes;
      } catch (e) {
        if (!(e instanceof ResponseError)) throw e;
        stop(fail(e.message));
        return false;
      }
      const framing = reader.head?.framing;
      if (reader.done) {
        // Bytes past Content-Length in what arrived with the end of the body: the source is not what it says.
        if (typeof framing === 'object' && reader.extra > 0) stop(fail(bodyFailure.long(framing.length)));
        else finish();
        return false;
      }
      if (queued < HIGH_WATER) return true;
      // The source is not silent while we do not read: its read timeout waits until we read again.
      paused = true;
      socket.setTimeout(0);
      return false;
    }
    const nextBuffer = () => {
      if (BLOCK - fill < MIN_READ) {
        if (releasing) retired.push({ block, bodyEnd: blockBodyEnd });
        if (retired.length > RETIRED) retired.shift();
        block = spare.pop() ?? Buffer.allocUnsafeSlow(BLOCK);
        fill = 0;
      }
      return block.subarray(fill);
    };

    /** The connection ended (`why` when it failed) before the body's framing said it was complete. */
    const broken = (why?: string) => {
      if (closed) return;
      const h = reader.head;
      if (!h) return stop(fail(why ?? 'the connection closed before a response came'));
      if (h.framing === 'close' && why === undefined) return finish();
      if (typeof h.framing === 'object') return stop(fail(bodyFailure.short(reader.bodyBytes, h.framing.length)));
      stop(fail(bodyFailure.brokeOff(reader.bodyBytes, why ?? 'it closed before the last chunk')));
    };

    const connectTimer = setTimeout(() => stop(hopTimeout(uri, 'connect', o.connectTimeoutMs)), o.connectTimeoutMs);
    const socket = net.connect({
      host: pinned.address,
      family: pinned.family,
      port: Number(url.port) || 80,
      onread: { buffer: nextBuffer, callback: onRead },
    });
    o.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      clearTimeout(connectTimer);
      socket.setTimeout(o.readTimeoutMs);
    });
    socket.on('timeout', () => stop(hopTimeout(uri, 'read', o.readTimeoutMs)));
    socket.on('error', (e) => broken(reasonOf(e)));
    socket.on('end', () => broken());
    socket.on('close', () => broken());
    socket.write(request);
  });
}
