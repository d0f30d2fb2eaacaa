import { readFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  /** A buffer is sent with its length; an iterable is streamed, after the server's 100 Continue. */
  body?: Buffer | AsyncIterable<Buffer>;
  /** Length of an iterable body; without it the body is sent chunked. */
  contentLength?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  /**
   * Whether any of an iterable body was taken. A server that answers before its 100 Continue (a 401
   * for an expired token) has taken nothing: the same request can be sent again.
   */
  bodyTaken: boolean;
  /** Done with this response without reading its body: the connection is reused, or closed if the request was cut short. */
  discard(): void;
}

/** The connection failed (refused, reset, timed out): no HTTP answer. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly bodyTaken: boolean,
  ) {
    super(message);
  }
}

/** The request body (the image data) failed; `cause` is its error, passed on unchanged. */
export class BodyError extends Error {
  constructor(override readonly cause: unknown) {
    super('the request body failed');
  }
}

/** No byte in either direction for this long fails the request (a hung server, a dead peer). */
const IDLE_MS = 120_000;
/** A server that neither continues nor answers within this time gets the body anyway, as curl does. */
const CONTINUE_WAIT_MS = 10_000;

/** Keep-alive agents for one store, with its TLS settings. */
export class Transport {
  private readonly http = new http.Agent({ keepAlive: true, maxSockets: 32 });
  private readonly https: https.Agent;

  constructor(tls: { insecure: boolean; cacert?: string }) {
    this.https = new https.Agent({
      keepAlive: true,
      maxSockets: 32,
      rejectUnauthorized: !tls.insecure,
      ...(tls.cacert ? { ca: readFileSync(tls.cacert) } : {}),
    });
  }

  /**
   * Sends one request and resolves with the response head; the caller reads or discards the body.
   * Rejects with NetworkError, BodyError, or the signal's reason.
   */
  send(r: HttpRequest): Promise<HttpResponse> {
    const secure = r.url.protocol === 'https:';
    const headers: Record<string, string> = { ...r.headers };
    const stream = r.body !== undefined && !Buffer.isBuffer(r.body) ? r.body : undefined;
    if (Buffer.isBuffer(r.body)) headers['content-length'] = String(r.body.length);
    else if (stream) {
      if (r.contentLength !== undefined) headers['content-length'] = String(r.contentLength);
      else headers['transfer-encoding'] = 'chunked';
      headers.expect = '100-continue';
    } else if (r.method === 'PUT' || r.method === 'POST') headers['content-length'] = '0';

    return new Promise<HttpResponse>((resolve, reject) => {
      const req = (secure ? https : http).request(r.url, { method: r.method, headers, agent: secure ? this.https : this.http, timeout: IDLE_MS });
      let taken = false;
      let settled = false;
      let failure: unknown;
      const settle = (f: () => void) => {
        if (!settled) {
          settled = true;
          r.signal?.removeEventListener('abort', onAbort);
          f();
        }
      };
      const onAbort = () => {
        failure ??= r.signal!.reason;
        req.destroy();
      };

      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer for ${IDLE_MS / 1000} s`), { code: 'ETIMEDOUT' })));
      req.on('error', (e: NodeJS.ErrnoException) =>
        settle(() => reject(failure ?? new NetworkError(e.message || e.code || 'connection failed', e.code, taken))),
      );
      req.on('close', () => settle(() => reject(failure ?? new NetworkError('connection closed before an answer', 'ECONNRESET', taken))));
      req.on('response', (res) => {
        if (!settled) res.on('error', () => undefined); // a body read later reports its own error
        const discard = () => {
          if (req.writableFinished) res.resume();
          else req.destroy();
        };
        settle(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, bodyTaken: taken, discard }));
      });
      if (r.signal?.aborted) {
        onAbort();
        return;
      }
      r.signal?.addEventListener('abort', onAbort, { once: true });

      if (!stream) {
        req.end(r.body);
        return;
      }
      const start = () => {
        if (taken || settled) return;
        taken = true;
        clearTimeout(fallback);
        void pump(stream, req, () => settled).catch((e: unknown) => {
          failure ??= new BodyError(e);
          req.destroy();
        });
      };
      const fallback = setTimeout(start, CONTINUE_WAIT_MS);
      req.on('continue', start);
      req.on('response', () => clearTimeout(fallback));
      req.on('close', () => clearTimeout(fallback));
      req.flushHeaders();
    });
  }

  close(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

/** Writes the body with backpressure; stops (releasing the source) once the server has answered. */
async function pump(body: AsyncIterable<Buffer>, req: http.ClientRequest, answered: () => boolean): Promise<void> {
  for await (const chunk of body) {
    if (answered() || req.destroyed) return;
    if (!req.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const done = () => {
          req.off('drain', done);
          req.off('close', closed);
          resolve();
        };
        const closed = () => {
          req.off('drain', done);
          reject(new Error('the connection closed while sending'));
        };
        req.once('drain', done);
        req.once('close', closed);
      }).catch((e: unknown) => {
        if (!answered()) throw e;
      });
      if (answered()) return;
    }
  }
  req.end();
}

/** Reads a small response body (an error message); the rest is dropped. */
export async function readText(res: HttpResponse, max = 4096): Promise<string> {
  let text = '';
  try {
    for await (const chunk of res.body) {
      text += (chunk as Buffer).toString('utf8');
      if (text.length >= max) break;
    }
  } catch {
    /* what arrived is enough */
  }
  res.body.destroy();
  return text.slice(0, max);
}

/** Reads a JSON body. */
export async function readJson(res: HttpResponse): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const chunk of res.body) parts.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(parts).toString('utf8'));
}

/** The text of an HTML or plain error body, on one line, short. */
export function errorReason(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}
