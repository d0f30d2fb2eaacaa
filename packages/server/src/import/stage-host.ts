import { giError } from '../errors.js';
import type { ImageRecord } from '@glance-import/db';
import { STAGE_HOST_PROPERTY } from './properties.js';

/**
 * Glance's distributed import: a node that stages an image records its own URL in
 * `os_glance_stage_host`; a glance-direct import landing on another node is replayed to that URL
 * with the caller's own credentials (Glance's `_proxy_request_to_host`), and its answer returned.
 */

/** Glance's timeout for the replayed call. */
export const RELAY_TIMEOUT_MS = 60_000;

/**
 * Set on a replayed call. The node receiving it runs the import itself, whatever it thinks the
 * stage host is, so two nodes that disagree about their URLs cannot pass a call back and forth.
 */
export const RELAYED_HEADER = 'x-glance-import-relayed-by';

/** The call as the caller sent it: the same path, body and headers go to the stage host. */
export interface RelayedCall {
  method: string;
  /** Path and query, e.g. `/v2/images/ID/import`. */
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: string | undefined;
}

/** The stage host's answer, passed to the caller as it came (status, body, request id, error code). */
export interface RelayedAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The node to replay an import of `image` to, or undefined when this node runs it. A node that
 * names no URL of its own is never the stage host (as in Glance), so it relays too.
 */
export function stageHostFor(image: ImageRecord, selfUrl: string | undefined, relayed: boolean): string | undefined {
  const host = image.properties[STAGE_HOST_PROPERTY];
  if (!host || relayed) return undefined;
  return selfUrl !== undefined && sameUrl(host, selfUrl) ? undefined : host;
}

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '');

// Hop-by-hop headers (RFC 9110 §7.6.1) and those fetch sets itself; everything else (the token,
// trusted identity headers, x-image-meta-store, Accept) goes as the caller sent it.
const NOT_FORWARDED = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'expect',
]);
const ANSWER_HEADERS = ['content-type', 'x-openstack-request-id', 'x-glance-import-error-code'];

/** Errors that mean no connection was made (Glance: ConnectionError, ConnectTimeout → 504). */
const CONNECT_FAILURES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'ECONNRESET']);

/**
 * Replay `call` to `host` and return its answer, whatever its status. No connection within the
 * timeout is 504, any other failure 502 (both "Stage host is unavailable", as Glance answers).
 */
export async function relayToStageHost(
  host: string,
  call: RelayedCall,
  o: { selfUrl: string | undefined; imageId: string; timeoutMs?: number },
): Promise<RelayedAnswer> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(call.headers)) {
    if (v === undefined || NOT_FORWARDED.has(k.toLowerCase())) continue;
    for (const one of [v].flat()) headers.append(k, one);
  }
  headers.set(RELAYED_HEADER, o.selfUrl ?? 'a node with no worker_self_reference_url');
  const url = `${host.replace(/\/+$/, '')}${call.path}`;
  const timeoutMs = o.timeoutMs ?? RELAY_TIMEOUT_MS;
  try {
    const res = await fetch(url, {
      method: call.method,
      headers,
      ...(call.body !== undefined ? { body: call.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = Buffer.from(await res.arrayBuffer());
    const answer: Record<string, string> = {};
    for (const h of ANSWER_HEADERS) {
      const v = res.headers.get(h);
      if (v !== null) answer[h] = v;
    }
    return { status: res.status, headers: answer, body };
  } catch (e) {
    const code = causeCode(e);
    const params = { host, imageId: o.imageId, reason: describe(e, code, timeoutMs) };
    if (code && CONNECT_FAILURES.has(code)) throw giError('GI_IMPORT_STAGE_HOST_UNREACHABLE', params, { cause: e });
    throw giError('GI_IMPORT_STAGE_HOST_FAILED', params, { cause: e });
  }
}

function causeCode(e: unknown): string | undefined {
  for (let c: unknown = e; c; c = (c as { cause?: unknown }).cause) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function describe(e: unknown, code: string | undefined, timeoutMs: number): string {
  if ((e as { name?: string }).name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = (e as { cause?: { message?: string } }).cause;
  return [code, cause?.message ?? (e as Error).message].filter(Boolean).join(': ');
}
