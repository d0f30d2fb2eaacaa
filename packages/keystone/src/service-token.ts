import { endpointOf } from './catalog.js';
import { discoverV3 } from './discovery.js';
import { keystoneError } from './errors.js';
import { json, redact, request, type Answer, type HttpOptions } from './http.js';
import type { KeystoneSettings } from './settings.js';
import { readToken, type TokenInfo } from './token-info.js';

/** The service's own token and the identity endpoint its catalog names for validating others. */
export interface ServiceToken {
  readonly token: string;
  readonly info: TokenInfo;
  /** Identity v3 base URL (`.../v3`) from the catalog: `interface`, `region_name`. */
  readonly identityUrl: string;
}

/** keystoneauth1 authenticates again when its token has less than this left (MIN_TOKEN_LIFE_SECONDS). */
export const RENEW_BEFORE_MS = 120_000;

type Settings = Pick<KeystoneSettings, 'authUrl' | 'credentials' | 'interface' | 'regionName'>;

/**
 * The service user's token: fetched with the password credentials on first use, kept, and fetched
 * again when it nears its expiry or when Keystone refuses it (`invalidate`). Concurrent callers
 * share one fetch.
 */
export class ServiceTokenSource {
  private current: ServiceToken | undefined;
  private pending: Promise<ServiceToken> | undefined;
  private readonly discovered = new Map<string, string>();

  constructor(
    private readonly settings: Settings,
    private readonly http: HttpOptions,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<ServiceToken> {
    const c = this.current;
    if (c && c.info.expiresAt.getTime() - this.now() > RENEW_BEFORE_MS) return c;
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forget `token` (Keystone answered 401 to it), so the next `get()` authenticates again. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private async fetch(): Promise<ServiceToken> {
    const authV3 = await this.discover(this.settings.authUrl);
    const url = `${authV3}/auth/tokens`;
    const answer = await request('POST', url, { 'content-type': 'application/json' }, JSON.stringify({ auth: this.settings.credentials.body }), this.http);
    const user = this.settings.credentials.describe;
    if (answer.status === 401 || answer.status === 403 || answer.status === 404) {
      throw keystoneError('GI_KEYSTONE_CREDENTIALS_REFUSED', { url: redact(url), user, reason: `${answer.status}: ${messageOf(answer)}` });
    }
    if (answer.status !== 201 && answer.status !== 200)
      throw keystoneError('GI_KEYSTONE_BAD_ANSWER', { url: redact(url), reason: `${answer.status} to the service's authentication: ${messageOf(answer)}` });
    const token = answer.headers['x-subject-token'];
    const info = readToken(json(answer, url));
    if (typeof token !== 'string' || !info) throw keystoneError('GI_KEYSTONE_BAD_ANSWER', { url: redact(url), reason: `${answer.status} without a token` });
    const { interface: iface, regionName } = this.settings;
    const endpoint = endpointOf(info.catalog ?? [], 'identity', iface, regionName);
    if (!endpoint) throw keystoneError('GI_KEYSTONE_NO_ENDPOINT', { type: 'identity', interface: iface, ...(regionName ? { region: regionName } : {}) });
    this.current = { token, info, identityUrl: await this.discover(endpoint) };
    return this.current;
  }

  private async discover(url: string): Promise<string> {
    let v3 = this.discovered.get(url);
    if (!v3) this.discovered.set(url, (v3 = await discoverV3(url, this.http)));
    return v3;
  }
}

/** Keystone's `{"error": {"message": ...}}`, or the start of whatever it sent. */
export function messageOf(a: Answer): string {
  try {
    const m = (JSON.parse(a.body) as { error?: { message?: unknown } }).error?.message;
    if (typeof m === 'string') return m;
  } catch {
    /* not JSON */
  }
  return a.body.slice(0, 200).trim() || '(no body)';
}
