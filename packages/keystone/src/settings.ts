import { readFileSync } from 'node:fs';
import type { ConfigNotice, GlanceConfig } from '@glance-import/core';
import { keystoneError } from './errors.js';
import { authtokenSchema, IGNORED_AUTHTOKEN_OPTIONS, pasteDeploySchema, type AuthtokenOptions } from './options.js';

/** Who answers "who is calling": Keystone, a trusted fronting proxy, or glance-import's own tokens. */
export type IdentityMode = 'keystone' | 'trusted-auth' | 'tokens';

/** The `auth` object of `POST /v3/auth/tokens` for the service user, and a name for messages. */
export interface ServiceCredentials {
  readonly body: Record<string, unknown>;
  /** `glance@Default/service` for messages; never the password. */
  readonly describe: string;
}

export interface TlsOptions {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized: boolean;
}

/** What the Keystone client needs, validated from `[keystone_authtoken]`. */
export interface KeystoneSettings {
  readonly authUrl: string;
  /** Sent in `WWW-Authenticate`: www_authenticate_uri, else auth_uri, else auth_url (keystonemiddleware's fallbacks). */
  readonly wwwAuthenticateUri: string;
  readonly credentials: ServiceCredentials;
  readonly interface: 'public' | 'internal' | 'admin';
  readonly regionName: string | undefined;
  readonly delayAuthDecision: boolean;
  /** Seconds; -1 turns the cache off. */
  readonly tokenCacheTime: number;
  readonly includeServiceCatalog: boolean;
  readonly serviceTokenRoles: readonly string[];
  readonly serviceTokenRolesRequired: boolean;
  readonly serviceType: string | undefined;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly tls: TlsOptions;
}

export interface IdentityConfig {
  readonly mode: IdentityMode;
  /** Set in keystone mode. */
  readonly keystone: KeystoneSettings | undefined;
  /** Options written but not acted on. */
  readonly notices: readonly ConfigNotice[];
}

/** keystonemiddleware leaves the timeout to requests, which waits forever; a request must not hang on Keystone. */
const DEFAULT_TIMEOUT_S = 30;

/**
 * The identity mode `[paste_deploy] flavor` chooses, and in keystone mode the validated
 * `[keystone_authtoken]` settings. Both groups are validated in every mode, so a typo is an error
 * even where the group is not used. `trustedIdentityHeaders` is `[glance_import]
 * trusted_identity_headers`, the older switch for the trusted-auth mode.
 */
export function identityConfig(config: GlanceConfig, o: { trustedIdentityHeaders: boolean }): IdentityConfig {
  const paste = config.group('paste_deploy', pasteDeploySchema);
  const opts = config.group('keystone_authtoken', authtokenSchema);
  const trusted = o.trustedIdentityHeaders;
  const flavor = paste.flavor;
  const notices: ConfigNotice[] = [];
  const written = config.rawGroup('keystone_authtoken');
  const where = (group: string, option: string) => config.rawGroup(group).get(option)?.file ?? '(config)';
  if (paste.config_file !== undefined)
    notices.push({
      file: where('paste_deploy', 'config_file'),
      group: 'paste_deploy',
      option: 'config_file',
      message: '[paste_deploy] config_file is ignored: glance-import builds its pipeline from [paste_deploy] flavor.',
    });
  if (flavor?.endsWith('cachemanagement') || flavor === 'keystone+caching') {
    notices.push({
      file: where('paste_deploy', 'flavor'),
      group: 'paste_deploy',
      option: 'flavor',
      message: `[paste_deploy] flavor = ${flavor}: glance-import has no image cache; the identity part (${flavor.split('+')[0]}) applies.`,
    });
  }
  const keystone = flavor?.startsWith('keystone') ?? false;
  if (keystone && trusted) throw keystoneError('GI_KEYSTONE_MODE_CONFLICT', { flavor: flavor! });
  if (!keystone) {
    if (written.size > 0)
      notices.push({
        file: [...written.values()][0]!.file,
        group: 'keystone_authtoken',
        message: '[keystone_authtoken] is read only with [paste_deploy] flavor = keystone; ignored.',
      });
    return { mode: flavor?.startsWith('trusted-auth') || trusted ? 'trusted-auth' : 'tokens', keystone: undefined, notices };
  }
  for (const name of IGNORED_AUTHTOKEN_OPTIONS) {
    const raw = written.get(name);
    if (raw)
      notices.push({
        file: raw.file,
        group: 'keystone_authtoken',
        option: name,
        message: `[keystone_authtoken] ${name} is a keystonemiddleware option glance-import does not use (tokens are cached in process, per node); ignored.`,
      });
  }
  return { mode: 'keystone', keystone: keystoneSettings(opts), notices };
}

export function keystoneSettings(o: AuthtokenOptions): KeystoneSettings {
  if (o.auth_section !== undefined)
    throw keystoneError('GI_KEYSTONE_OPTION_UNSUPPORTED', {
      option: 'auth_section',
      value: o.auth_section,
      reason: 'the auth options are read from [keystone_authtoken] only',
    });
  if (o.auth_type === undefined)
    throw keystoneError('GI_KEYSTONE_OPTION_MISSING', {
      option: 'auth_type',
      why: "set it to 'password'; the legacy admin_user/admin_token options are not supported",
    });
  if (!['password', 'v3password'].includes(o.auth_type))
    throw keystoneError('GI_KEYSTONE_OPTION_UNSUPPORTED', { option: 'auth_type', value: o.auth_type, reason: "only the 'password' plugin is" });
  if (o.trust_id !== undefined)
    throw keystoneError('GI_KEYSTONE_OPTION_UNSUPPORTED', {
      option: 'trust_id',
      value: o.trust_id,
      reason: 'the service token is scoped to a project, a domain or the system',
    });
  if (o.auth_url === undefined)
    throw keystoneError('GI_KEYSTONE_OPTION_MISSING', { option: 'auth_url', why: 'the service authenticates there to validate tokens' });
  httpUrl('auth_url', o.auth_url);
  const www = o.www_authenticate_uri ?? o.auth_uri;
  if (www !== undefined) httpUrl(o.www_authenticate_uri !== undefined ? 'www_authenticate_uri' : 'auth_uri', www);
  return {
    authUrl: o.auth_url.replace(/\/+$/, ''),
    wwwAuthenticateUri: www ?? o.auth_url,
    credentials: serviceCredentials(o),
    interface: o.interface as KeystoneSettings['interface'],
    regionName: o.region_name,
    delayAuthDecision: o.delay_auth_decision,
    tokenCacheTime: o.token_cache_time,
    includeServiceCatalog: o.include_service_catalog,
    serviceTokenRoles: o.service_token_roles,
    serviceTokenRolesRequired: o.service_token_roles_required,
    serviceType: o.service_type,
    timeoutMs: (o.http_connect_timeout ?? DEFAULT_TIMEOUT_S) * 1000,
    maxRetries: o.http_request_max_retries,
    tls: {
      ...(o.cafile !== undefined ? { ca: readPem('cafile', o.cafile) } : {}),
      ...(o.certfile !== undefined ? { cert: readPem('certfile', o.certfile) } : {}),
      ...(o.keyfile !== undefined ? { key: readPem('keyfile', o.keyfile) } : {}),
      rejectUnauthorized: !o.insecure,
    },
  };
}

function httpUrl(option: string, value: string): void {
  let ok = false;
  try {
    ok = ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    /* reported below */
  }
  if (!ok) throw keystoneError('GI_KEYSTONE_OPTION_UNSUPPORTED', { option, value, reason: 'it must be an http(s) URL' });
}

function readPem(option: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw keystoneError(
      'GI_KEYSTONE_OPTION_UNSUPPORTED',
      { option, value: file, reason: `the file cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` },
      { cause: e },
    );
  }
}

/** A domain reference, `{ id }` or `{ name }`, from the option pair or keystoneauth's default_domain_*. */
function domain(o: AuthtokenOptions, id: string | undefined, name: string | undefined): Record<string, string> | undefined {
  if (id !== undefined) return { id };
  if (name !== undefined) return { name };
  if (o.default_domain_id !== undefined) return { id: o.default_domain_id };
  if (o.default_domain_name !== undefined) return { name: o.default_domain_name };
  return undefined;
}

/** keystoneauth1's v3 Password plugin: the user by ID or by name in a domain, and at most one scope. */
function serviceCredentials(o: AuthtokenOptions): ServiceCredentials {
  if (o.password === undefined)
    throw keystoneError('GI_KEYSTONE_OPTION_MISSING', { option: 'password', why: 'auth_type = password authenticates the service user with it' });
  if (o.user_id === undefined && o.username === undefined)
    throw keystoneError('GI_KEYSTONE_OPTION_MISSING', { option: 'username', why: 'the service user is named by username (or user_id)' });
  const userDomain = domain(o, o.user_domain_id, o.user_domain_name);
  if (o.user_id === undefined && !userDomain)
    throw keystoneError('GI_KEYSTONE_OPTION_MISSING', {
      option: 'user_domain_name',
      why: 'Keystone finds a user by name only within a domain (or set user_domain_id)',
    });
  const user = o.user_id !== undefined ? { id: o.user_id, password: o.password } : { name: o.username, domain: userDomain, password: o.password };
  let scope: Record<string, unknown> | undefined;
  let scopeName = 'unscoped';
  if (o.project_id !== undefined || o.project_name !== undefined) {
    const projectDomain = domain(o, o.project_domain_id, o.project_domain_name);
    if (o.project_id === undefined && !projectDomain)
      throw keystoneError('GI_KEYSTONE_OPTION_MISSING', {
        option: 'project_domain_name',
        why: 'Keystone finds a project by name only within a domain (or set project_domain_id)',
      });
    scope = { project: o.project_id !== undefined ? { id: o.project_id } : { name: o.project_name, domain: projectDomain } };
    scopeName = o.project_name ?? o.project_id!;
  } else if (o.domain_id !== undefined || o.domain_name !== undefined) {
    scope = { domain: o.domain_id !== undefined ? { id: o.domain_id } : { name: o.domain_name } };
    scopeName = `domain ${o.domain_name ?? o.domain_id}`;
  } else if (o.system_scope !== undefined) {
    scope = { system: { [o.system_scope]: true } };
    scopeName = `system ${o.system_scope}`;
  }
  const who = o.username !== undefined ? `${o.username}${userDomain ? `@${userDomain.name ?? userDomain.id}` : ''}` : `user ${o.user_id}`;
  return {
    body: { identity: { methods: ['password'], password: { user } }, ...(scope ? { scope } : {}) },
    describe: `${who}/${scopeName}`,
  };
}
