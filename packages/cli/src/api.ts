import { cliError } from './errors.js';
import { RemoteError, UsageError } from './io.js';

/** Where the commands that call the Image API send their calls, and as whom. */
export interface Api {
  endpoint: string;
  token: string;
}

/**
 * `--endpoint` / `--token`, else `OS_IMAGE_URL` / `OS_AUTH_TOKEN`. A version at the end of the URL
 * (`http://host:9292/v2`, as Keystone's catalog lists Glance) is dropped, as python-glanceclient
 * does: every call names /v2 itself.
 */
export function apiFrom(args: { endpoint?: string | undefined; token?: string | undefined }): Api {
  const endpoint = (args.endpoint ?? process.env.OS_IMAGE_URL)?.replace(/\/+$/, '').replace(/\/v\d+(\.\d+)?$/, '');
  const token = args.token ?? process.env.OS_AUTH_TOKEN;
  if (!endpoint) throw new UsageError('no endpoint: pass --endpoint or set OS_IMAGE_URL');
  if (!token) throw new UsageError('no token: pass --token or set OS_AUTH_TOKEN');
  return { endpoint, token };
}

export interface CallInit {
  body?: unknown;
  headers?: Record<string, string>;
  stream?: ReadableStream;
}

/**
 * One call to the Image API. A refusal is a RemoteError with the service's GI_* code and hint; a
 * service that cannot be reached is GI_CLI_UNREACHABLE, naming what to check.
 */
export async function call(api: Api, method: string, path: string, init: CallInit = {}): Promise<Response> {
  const headers: Record<string, string> = { 'X-Auth-Token': api.token, Accept: 'application/json', ...init.headers };
  let body: string | ReadableStream | undefined;
  if (init.stream) body = init.stream;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['Content-Type'] ??= 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(`${api.endpoint}${path}`, { method, headers, ...(body ? { body } : {}), ...(init.stream ? { duplex: 'half' } : {}) } as RequestInit);
  } catch (e) {
    // A stream the request was reading from failed: that is the file, not the network.
    if (init.stream && (e as { cause?: { syscall?: string } }).cause?.syscall === 'read') throw (e as { cause: Error }).cause;
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw cliError(
      'GI_CLI_UNREACHABLE',
      { endpoint: api.endpoint, call: `${method} ${path}`, reason: cause?.code ?? cause?.message ?? (e as Error).message },
      { cause: e },
    );
  }
  if (!res.ok) {
    const text = await res.text();
    let j: { message?: string; error_code?: string; hint?: string } = {};
    try {
      j = JSON.parse(text) as typeof j;
    } catch {
      /* not JSON: a proxy's page */
    }
    const message = (j.message ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
    throw new RemoteError(
      `${method} ${path} answered ${res.status}: ${message}`,
      res.status,
      j.error_code ?? res.headers.get('x-glance-import-error-code') ?? undefined,
      j.hint,
    );
  }
  return res;
}

/** A call whose answer is a JSON document. */
export async function callJson<T>(api: Api, method: string, path: string, init: CallInit = {}): Promise<T> {
  const res = await call(api, method, path, init);
  try {
    return (await res.json()) as T;
  } catch {
    throw cliError('GI_CLI_NOT_JSON', { call: `${method} ${path}`, status: res.status });
  }
}

/** Whether a failed call may succeed later: the service is restarting or draining. */
export function isTransient(e: unknown): boolean {
  if (e instanceof RemoteError) return e.status === 502 || e.status === 503 || e.status === 504;
  return (e as { code?: string }).code === 'GI_CLI_UNREACHABLE';
}
