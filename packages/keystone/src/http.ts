import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { keystoneError } from './errors.js';
import type { TlsOptions } from './settings.js';

export interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface HttpOptions {
  readonly timeoutMs: number;
  /** Connection failures and timeouts are tried again this many times, as keystoneauth's connect_retries. */
  readonly maxRetries: number;
  readonly tls: TlsOptions;
}

/** keystoneauth's connect-retry delays: 0.5 s, doubling, at most 60 s. */
const retryDelayMs = (attempt: number) => Math.min(500 * 2 ** attempt, 60_000);

/** Keystone answers are small JSON documents; anything larger is not Keystone. */
const MAX_BODY = 4 * 1024 * 1024;

/**
 * One call to Keystone. A connection that fails or times out is tried again (`maxRetries`), then
 * throws GI_KEYSTONE_UNREACHABLE; any HTTP answer is returned for the caller to judge.
 */
export async function request(method: string, url: string, headers: Record<string, string>, body: string | undefined, o: HttpOptions): Promise<Answer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await once(method, url, headers, body, o);
    } catch (e) {
      if (attempt >= o.maxRetries) throw keystoneError('GI_KEYSTONE_UNREACHABLE', { url: redact(url), reason: (e as Error).message }, { cause: e });
      await sleep(retryDelayMs(attempt));
    }
  }
}

function once(method: string, url: string, headers: Record<string, string>, body: string | undefined, o: HttpOptions): Promise<Answer> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      {
        method,
        headers: {
          'user-agent': 'glance-import keystone',
          accept: 'application/json',
          ...headers,
          ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
        },
        timeout: o.timeoutMs,
        // No pooled sockets: a keep-alive socket the server closed without saying so fails the next call.
        agent: false,
        ...(u.protocol === 'https:' ? { ca: o.tls.ca, cert: o.tls.cert, key: o.tls.key, rejectUnauthorized: o.tls.rejectUnauthorized } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) {
            req.destroy(new Error(`an answer larger than ${MAX_BODY} bytes`));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs / 1000} s`)));
    // An AggregateError (several addresses tried) has no message of its own, only a code.
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}`.trim() : e.message)));
    req.end(body);
  });
}

/** Parse a JSON answer; a body that is not JSON is Keystone misbehaving (503), not the caller's fault. */
export function json(a: Answer, url: string): Record<string, unknown> {
  try {
    const v = JSON.parse(a.body) as unknown;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    /* reported below */
  }
  throw keystoneError('GI_KEYSTONE_BAD_ANSWER', { url: redact(url), reason: `${a.status} with a body that is not a JSON object` });
}

/** URLs in messages lose any user info and query. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}
