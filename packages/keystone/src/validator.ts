import { keystoneError } from './errors.js';
import { json, redact, request, type HttpOptions } from './http.js';
import { messageOf, type ServiceTokenSource } from './service-token.js';
import type { TokenCache } from './token-cache.js';
import { readToken, type TokenInfo } from './token-info.js';

export interface ValidatorOptions {
  readonly includeServiceCatalog: boolean;
  readonly http: HttpOptions;
}

/**
 * Asks Keystone about a token: `GET /v3/auth/tokens` with the service token in X-Auth-Token and
 * the token in X-Subject-Token, the request keystonemiddleware makes. A 200 is cached; a 404 (unknown,
 * revoked, expired, tampered) is not, so Keystone is asked again each time, as keystonemiddleware does.
 */
export class TokenValidator {
  private readonly inFlight = new Map<string, Promise<TokenInfo | undefined>>();

  constructor(
    private readonly service: ServiceTokenSource,
    private readonly cache: TokenCache<TokenInfo>,
    private readonly o: ValidatorOptions,
  ) {}

  /** What Keystone says of `token`; undefined when it does not know it as valid. Throws only a 503 error. */
  async validate(token: string, o: { allowExpired: boolean }): Promise<TokenInfo | undefined> {
    const cached = this.cache.get(token);
    if (cached) return cached;
    const key = `${o.allowExpired ? 1 : 0}:${token}`;
    let p = this.inFlight.get(key);
    if (!p) {
      p = this.ask(token, o.allowExpired).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, p);
    }
    return p;
  }

  private async ask(token: string, allowExpired: boolean, retry = true): Promise<TokenInfo | undefined> {
    const service = await this.service.get();
    const query = [this.o.includeServiceCatalog ? '' : 'nocatalog', allowExpired ? 'allow_expired=1' : ''].filter(Boolean).join('&');
    const url = `${service.identityUrl}/auth/tokens${query ? `?${query}` : ''}`;
    const answer = await request(
      'GET',
      url,
      {
        'x-auth-token': service.token,
        'x-subject-token': token,
        'openstack-identity-access-rules': '1',
      },
      undefined,
      this.o.http,
    );
    if (answer.status === 404) return undefined;
    if (answer.status === 401) {
      // Our own token was refused (expired early, revoked, password changed): authenticate again, once.
      this.service.invalidate(service.token);
      if (retry) return this.ask(token, allowExpired, false);
    }
    if (answer.status === 401 || answer.status === 403) {
      throw keystoneError('GI_KEYSTONE_VALIDATION_REFUSED', { url: redact(url), user: service.info.userName ?? service.info.userId, status: answer.status });
    }
    if (answer.status !== 200)
      throw keystoneError('GI_KEYSTONE_BAD_ANSWER', { url: redact(url), reason: `${answer.status} to a token validation: ${messageOf(answer)}` });
    const info = readToken(json(answer, url));
    if (!info) throw keystoneError('GI_KEYSTONE_BAD_ANSWER', { url: redact(url), reason: '200 without a token document' });
    this.cache.set(token, info, info.expiresAt.getTime());
    return info;
  }
}
