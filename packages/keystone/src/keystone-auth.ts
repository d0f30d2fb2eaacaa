import { allowedByAccessRules } from './access-rules.js';
import { keystoneError } from './errors.js';
import type { HttpOptions } from './http.js';
import { ServiceTokenSource, type ServiceToken } from './service-token.js';
import type { KeystoneSettings } from './settings.js';
import { TokenCache } from './token-cache.js';
import type { TokenInfo } from './token-info.js';
import { TokenValidator } from './validator.js';

/** What a request brings: its tokens, and its method and path (for application credentials' access rules). */
export interface AuthRequest {
  /** X-Auth-Token (or X-Storage-Token). */
  readonly userToken: string | undefined;
  /** X-Service-Token: another service acting for the user. */
  readonly serviceToken: string | undefined;
  readonly method: string;
  readonly path: string;
}

/**
 * keystonemiddleware's verdict. `user` is set when the user token is valid (X-Identity-Status:
 * Confirmed); `serviceStatus` is X-Service-Identity-Status, `Confirmed` when no service token came.
 */
export interface AuthResult {
  readonly user: TokenInfo | undefined;
  /** Why `user` is not set. */
  readonly reason: string;
  readonly service: TokenInfo | undefined;
  readonly serviceStatus: 'Confirmed' | 'Invalid';
}

export interface KeystoneAuthOptions {
  /** Validated tokens kept per process at most (least recently used first out). Default 10,000. */
  readonly maxCachedTokens?: number;
  readonly now?: () => number;
}

/**
 * Keystone identity for one server process: the service token, token validation with its cache, and
 * the decision keystonemiddleware's `auth_token` makes for each request. Keystone that cannot be
 * reached, or refuses the service, makes `authenticate` throw a GI_KEYSTONE_* error with status 503.
 */
export class KeystoneAuth {
  private readonly source: ServiceTokenSource;
  private readonly validator: TokenValidator;
  private readonly cache: TokenCache<TokenInfo>;
  private readonly now: () => number;

  constructor(
    readonly settings: KeystoneSettings,
    o: KeystoneAuthOptions = {},
  ) {
    this.now = o.now ?? Date.now;
    const http: HttpOptions = { timeoutMs: settings.timeoutMs, maxRetries: settings.maxRetries, tls: settings.tls };
    this.source = new ServiceTokenSource(settings, http, this.now);
    this.cache = new TokenCache({ cacheTime: settings.tokenCacheTime, maxEntries: o.maxCachedTokens ?? 10_000, now: this.now });
    this.validator = new TokenValidator(this.source, this.cache, { includeServiceCatalog: settings.includeServiceCatalog, http });
  }

  /** The service's own token (for calls glance-import makes to other services as itself). */
  serviceToken(): Promise<ServiceToken> {
    return this.source.get();
  }

  /**
   * What `config check` tries: authenticate as the service user, find the identity endpoint in its
   * catalog, and validate the service's own token there. Throws the error a request would get.
   */
  async probe(): Promise<ServiceToken> {
    const own = await this.source.get();
    if (!(await this.validator.validate(own.token, { allowExpired: false }))) {
      throw keystoneError('GI_KEYSTONE_BAD_ANSWER', { url: `${own.identityUrl}/auth/tokens`, reason: "404 to the validation of the service's own new token" });
    }
    return own;
  }

  /** Tokens currently cached. */
  get cachedTokens(): number {
    return this.cache.size;
  }

  async authenticate(req: AuthRequest): Promise<AuthResult> {
    const s = this.settings;
    let service: TokenInfo | undefined;
    let serviceStatus: AuthResult['serviceStatus'] = 'Confirmed';
    let allowExpired = false;
    if (req.serviceToken) {
      const info = await this.check(req.serviceToken.trim(), false);
      if (!info) serviceStatus = 'Invalid';
      else {
        const withRole = info.roles.some((r) => s.serviceTokenRoles.includes(r));
        // Without service_token_roles_required a valid token passes without the role, as keystonemiddleware's
        // backwards-compatible default; only a token with the role lets an expired user token through.
        if (s.serviceTokenRolesRequired && !withRole) serviceStatus = 'Invalid';
        else service = info;
        allowExpired = withRole;
      }
    }
    if (!req.userToken) return { user: undefined, reason: 'no X-Auth-Token header', service, serviceStatus };
    const user = await this.check(req.userToken.trim(), allowExpired);
    if (!user) return { user: undefined, reason: 'Keystone does not know the token as valid (expired, revoked or malformed)', service, serviceStatus };
    if (!allowedByAccessRules(user, { method: req.method, path: req.path, serviceType: s.serviceType, withServiceToken: req.serviceToken !== undefined })) {
      return { user: undefined, reason: "the application credential's access rules do not allow this call", service, serviceStatus };
    }
    return { user, reason: '', service, serviceStatus };
  }

  /** Valid and not expired (keystonemiddleware checks expiry itself too: a cached token may have run out). */
  private async check(token: string, allowExpired: boolean): Promise<TokenInfo | undefined> {
    if (!token) return undefined;
    const info = await this.validator.validate(token, { allowExpired });
    if (!info) return undefined;
    if (!allowExpired && info.expiresAt.getTime() <= this.now()) return undefined;
    return info;
  }
}
