import { boolean, integer, list, option, string, type GroupValues, type OptSpec } from '@glance-import/core';

/**
 * `[paste_deploy]`: Glance picks its paste pipeline by flavor. The keystone flavors put
 * keystonemiddleware's auth_token in front of the API; the trusted-auth ones trust a fronting proxy's
 * identity headers. Unset, glance-import uses its own tokens (Glance's unauthenticated default
 * pipeline has no equivalent here).
 */
export const FLAVORS = ['keystone', 'keystone+caching', 'keystone+cachemanagement', 'trusted-auth', 'trusted-auth+cachemanagement'] as const;

export const pasteDeploySchema = {
  flavor: option(string({ choices: FLAVORS }), {
    help: "The identity in front of the API: 'keystone' validates tokens with Keystone ([keystone_authtoken]); 'trusted-auth' trusts a fronting proxy's X-Identity-Status headers. Unset: glance-import's own tokens.",
  }),
  config_file: option(string(), { help: "Glance's paste ini; glance-import builds its pipeline itself, so this is ignored." }),
};

/**
 * keystonemiddleware options that configs carry and glance-import does not act on: accepted and
 * reported as ignored. The memcache ones choose a shared token cache; here the cache is in process.
 */
export const IGNORED_AUTHTOKEN_OPTIONS = [
  'memcached_servers',
  'memcache_servers',
  'memcache_security_strategy',
  'memcache_secret_key',
  'memcache_pool_dead_retry',
  'memcache_pool_maxsize',
  'memcache_pool_socket_timeout',
  'memcache_pool_unused_timeout',
  'memcache_pool_conn_get_timeout',
  'memcache_use_advanced_pool',
  'cache',
  'enforce_token_bind',
  'auth_version',
  'hash_algorithms',
  'check_revocations_for_cached',
  'revocation_cache_time',
  'signing_dir',
  'admin_user',
  'admin_password',
  'admin_tenant_name',
  'admin_token',
  'identity_uri',
  'auth_host',
  'auth_port',
  'auth_protocol',
  'auth_admin_prefix',
  'log_name',
] as const;
type IgnoredOption = (typeof IGNORED_AUTHTOKEN_OPTIONS)[number];

/**
 * `[keystone_authtoken]`: the options of keystonemiddleware 10.1 (`auth_token/_opts.py`) and of
 * keystoneauth1's password plugin that glance-import acts on, with their defaults.
 */
export const authtokenSchema = {
  www_authenticate_uri: option(string(), {
    help: 'Public Identity API endpoint sent to clients in `WWW-Authenticate: Keystone uri="..."` on a 401. Default: auth_uri, else auth_url.',
  }),
  auth_uri: option(string(), { help: 'Deprecated name of www_authenticate_uri.' }),
  auth_type: option(string(), { help: "How the service authenticates to Keystone; 'password' (or 'v3password') is supported." }),
  auth_url: option(string(), { help: "Keystone URL for the service's own authentication; versioned (.../v3) or not (version discovery finds v3)." }),
  username: option(string(), { help: "The service user's name (with user_domain_name or user_domain_id)." }),
  user_id: option(string(), { help: "The service user's ID (instead of username)." }),
  password: option(string(), { help: "The service user's password." }),
  user_domain_name: option(string(), { help: 'Domain name of the service user.' }),
  user_domain_id: option(string(), { help: 'Domain ID of the service user.' }),
  project_name: option(string(), { help: 'Project the service token is scoped to (with project_domain_name or project_domain_id).' }),
  project_id: option(string(), { help: 'Project ID the service token is scoped to.' }),
  project_domain_name: option(string(), { help: 'Domain name of project_name.' }),
  project_domain_id: option(string(), { help: 'Domain ID of project_name.' }),
  domain_id: option(string(), { help: 'Scope the service token to this domain instead of a project.' }),
  domain_name: option(string(), { help: 'Scope the service token to this domain (by name) instead of a project.' }),
  system_scope: option(string(), { help: "Scope the service token to the system ('all') instead of a project." }),
  default_domain_id: option(string(), { help: 'Domain ID used for the user and project when their own domain options are unset.' }),
  default_domain_name: option(string(), { help: 'Domain name used for the user and project when their own domain options are unset.' }),
  trust_id: option(string(), { help: 'Not supported: a trust-scoped service token.' }),
  region_name: option(string(), { help: "Region of the identity endpoint used for validation, in the service token's catalog." }),
  interface: option(string({ choices: ['public', 'internal', 'admin'] }), {
    default: 'internal',
    help: 'Interface of the identity endpoint used for validation.',
  }),
  delay_auth_decision: option(boolean(), {
    default: true,
    help: "true (Glance's paste pipeline sets it): an invalid token gets the Image API's own 401. false: keystonemiddleware's JSON 401. Both carry WWW-Authenticate.",
  }),
  token_cache_time: option(integer({ min: -1 }), {
    default: 300,
    help: 'Seconds a validated token is trusted without asking Keystone again (never past its expiry); -1: ask every time. A token revoked in Keystone keeps working here until its entry ends.',
  }),
  include_service_catalog: option(boolean(), {
    default: true,
    help: "Ask Keystone for the user's catalog with each validation (glance-download finds other regions in it).",
  }),
  service_token_roles: option(list(string()), {
    default: ['service'],
    help: 'A service token (X-Service-Token) with any of these roles lets an expired user token through (long imports started by another service).',
  }),
  service_token_roles_required: option(boolean(), {
    default: false,
    help: 'Refuse a service token without one of service_token_roles (false: accept it, only without the expired-token allowance).',
  }),
  service_type: option(string(), {
    help: "This service's type in the catalog ('image'), for application credentials restricted by access rules; unset, such tokens are refused.",
  }),
  http_connect_timeout: option(integer({ min: 1 }), { help: 'Seconds to wait for Keystone on each call. Unset: 30 (keystonemiddleware waits forever).' }),
  http_request_max_retries: option(integer({ min: 0 }), {
    default: 3,
    help: 'Times a call to Keystone is retried when the connection fails (0.5 s, 1 s, 2 s... apart).',
  }),
  cafile: option(string(), { help: "PEM CA bundle to verify Keystone's HTTPS certificate. Default: the system CAs." }),
  certfile: option(string(), { help: 'Client certificate (PEM) when Keystone requires one.' }),
  keyfile: option(string(), { help: 'Key of certfile (PEM).' }),
  insecure: option(boolean(), { default: false, help: "Do not verify Keystone's HTTPS certificate." }),
  ...(Object.fromEntries(
    IGNORED_AUTHTOKEN_OPTIONS.map((n) => [n, option(string(), { help: 'Accepted for keystonemiddleware compatibility; not used.' })]),
  ) as Record<IgnoredOption, OptSpec<string | undefined>>),
  auth_section: option(string(), { help: 'Not supported: keep the auth options in [keystone_authtoken] itself.' }),
};

export type PasteDeployOptions = GroupValues<typeof pasteDeploySchema>;
export type AuthtokenOptions = GroupValues<typeof authtokenSchema>;

/** The option groups this package reads, for `loadConfig({ schema })`. */
export const keystoneGroups = { paste_deploy: pasteDeploySchema, keystone_authtoken: authtokenSchema } as const;
