// The public surface of @glance-import/keystone.
export { KeystoneAuth, type AuthRequest, type AuthResult, type KeystoneAuthOptions } from './keystone-auth.js';
export {
  identityConfig,
  keystoneSettings,
  type IdentityConfig,
  type IdentityMode,
  type KeystoneSettings,
  type ServiceCredentials,
  type TlsOptions,
} from './settings.js';
export {
  authtokenSchema,
  pasteDeploySchema,
  keystoneGroups,
  FLAVORS,
  IGNORED_AUTHTOKEN_OPTIONS,
  type AuthtokenOptions,
  type PasteDeployOptions,
} from './options.js';
export { normalizeCatalog, endpointOf, imageEndpointOf, type ServiceCatalog, type CatalogService, type CatalogEndpoint } from './catalog.js';
export { readToken, scopeOf, type TokenInfo, type AccessRule } from './token-info.js';
export { type ServiceToken, RENEW_BEFORE_MS } from './service-token.js';
export { TokenCache, type TokenCacheOptions } from './token-cache.js';
export { pathMatches } from './access-rules.js';
export { keystoneErrors, type KeystoneErrorCode } from './errors.js';
