import type { SwiftAccess, SwiftAccount } from './account.js';
import { login, safeUrl, type Endpoint } from './auth.js';
import { abortError, storeError } from './contract-errors.js';
import { swiftErrors } from './errors.js';
import { BodyError, errorReason, NetworkError, readText, type HttpRequest, type HttpResponse, type Transport } from './http.js';

/** Errors of a kept-alive connection the server had already closed: the request never arrived. */
const STALE = new Set(['ECONNRESET', 'EPIPE']);
/** Errors that mean nothing listens there at all. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * One Swift account in use: its token is cached, renewed `expireSoonMs` before it expires, and
 * renewed when Swift answers 401 (memcached restarted, token revoked) — then the request is sent
 * again, which is safe because a 401 comes before the server takes any of the body.
 */
export class SwiftSession {
  private cached: Endpoint | undefined;
  private pending: Promise<Endpoint> | undefined;

  constructor(
    private readonly transport: Transport,
    readonly account: SwiftAccount,
    private readonly access: SwiftAccess,
  ) {}

  get store(): string {
    return this.access.store;
  }

  /** A valid endpoint, logging in when there is none or it is about to expire. */
  async endpoint(): Promise<Endpoint> {
    if (this.cached && this.cached.expiresAt - this.access.expireSoonMs > Date.now()) return this.cached;
    // Concurrent callers share one login; a failed one is not kept.
    this.pending ??= login(this.transport, this.account, this.access)
      .then((ep) => {
        this.cached = ep;
        return ep;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** Sends a request built for the current endpoint; see the class comment for the one resend. */
  async request(operation: string, build: (ep: Endpoint) => HttpRequest): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const ep = await this.endpoint();
      const built = build(ep);
      const req = { ...built, headers: { ...built.headers, 'x-auth-token': ep.token } };
      let res: HttpResponse;
      try {
        res = await this.transport.send(req);
      } catch (e) {
        if (attempt === 0 && e instanceof NetworkError && !e.bodyTaken && STALE.has(e.code ?? '')) continue;
        throw this.failure(operation, e, req);
      }
      if (res.status === 401 && !res.bodyTaken && attempt === 0) {
        res.discard();
        if (this.cached?.token === ep.token) this.cached = undefined;
        continue;
      }
      return res;
    }
  }

  /** The error for a request that got no answer. */
  failure(operation: string, e: unknown, req: HttpRequest): unknown {
    if (req.signal?.aborted) return abortError(req.signal, `${operation} in store '${this.access.store}'`);
    if (e instanceof BodyError) return e.cause;
    if (!(e instanceof NetworkError)) return e;
    if (UNREACHABLE.has(e.code ?? '')) {
      const option = this.access.endpoint ? 'swift_store_endpoint' : `the storage URL from ${this.account.origin.address}`;
      return swiftErrors.error('GI_SWIFT_UNREACHABLE', { store: this.access.store, option, url: safeUrl(req.url), reason: e.code ?? e.message });
    }
    return swiftErrors.error('GI_SWIFT_CONNECTION_LOST', { store: this.access.store, operation, reason: e.code ?? e.message });
  }

  /** The error for an answer the caller did not expect (its body is read for the reason, then dropped). */
  async refusal(operation: string, res: HttpResponse): Promise<Error> {
    const text = errorReason(await readText(res));
    const store = this.access.store;
    if (res.status === 401)
      return swiftErrors.error('GI_SWIFT_AUTH_FAILED', { store, url: 'the storage URL', status: 401, options: this.account.origin.credentials });
    if (res.status === 403) return swiftErrors.error('GI_SWIFT_DENIED', { store, operation, status: 403 });
    // Swift's 413 is an object over max_file_size or a full account quota: glance_store's StorageFull.
    if (res.status === 413) return storeError('GI_STORE_FULL', { store, path: operation, reason: text || 'HTTP 413 Request Entity Too Large' });
    return swiftErrors.error('GI_SWIFT_REQUEST_FAILED', { store, operation, status: res.status, reason: text });
  }
}
