import type { Connection } from './connection';

/** The API refused or failed a call: its status, message, and our stable code and hint when given. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The server could not be reached (restarting, network gone); the connection banner says so. */
export class ConnectionLost extends Error {
  constructor() {
    super('The server cannot be reached; retrying.');
    this.name = 'ConnectionLost';
  }
}

export interface RequestOptions {
  body?: unknown;
  /** Send `body` as it is with this type (default: JSON). */
  contentType?: string;
  signal?: AbortSignal;
}

/** Statuses of a server going away or not there yet, not of a refused call. */
const UNREACHABLE = new Set([502, 503, 504]);

/**
 * Calls of the Image API with the signed-in token in `X-Auth-Token` (never in a URL), JSON in and
 * out. A 401 signs the tab out; an unreachable server is reported to the connection monitor.
 */
export class Api {
  constructor(
    private readonly token: string,
    readonly connection: Connection,
    private readonly onUnauthorized: (e: ApiError) => void,
  ) {}

  get headers(): Record<string, string> {
    return { 'X-Auth-Token': this.token, Accept: 'application/json' };
  }

  async raw(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers };
    let body: BodyInit | undefined;
    if (o.body !== undefined) {
      headers['Content-Type'] = o.contentType ?? 'application/json';
      body = o.body instanceof Blob || typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    }
    let res: Response;
    try {
      res = await fetch(path, { method, headers, ...(body !== undefined ? { body } : {}), cache: 'no-store', ...(o.signal ? { signal: o.signal } : {}) });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      this.connection.lost();
      throw new ConnectionLost();
    }
    if (UNREACHABLE.has(res.status)) {
      this.connection.lost();
      throw new ConnectionLost();
    }
    if (!res.ok) {
      const err = await errorOf(res);
      if (res.status === 401) this.onUnauthorized(err);
      throw err;
    }
    return res;
  }

  async request<T>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.raw(method, path, o);
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', path, signal ? { signal } : {});
  }
}

/** The error of a failed call: our JSON error body when there is one, else the status. */
export async function errorOf(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const j = JSON.parse(text) as { message?: string; error_code?: string; hint?: string };
    return new ApiError(res.status, j.message ?? `${res.status} ${res.statusText}`, j.error_code, j.hint);
  } catch {
    return new ApiError(res.status, `${res.status} ${res.statusText}`, res.headers.get('X-Glance-Import-Error-Code') ?? undefined);
  }
}

/** Whether the caller may use an API: refused (403), or not offered at this site (404). */
export const isRefusal = (e: unknown): boolean => e instanceof ApiError && (e.status === 403 || e.status === 404);
