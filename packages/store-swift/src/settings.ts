import type { SwiftAccess, SwiftAccount } from './account.js';
import { swiftErrors } from './errors.js';
import { SWIFT_MB, type SwiftOptionValues } from './options.js';
import { readReferences } from './references.js';

/** A swift store's validated settings: what every operation needs, sizes in bytes. */
export interface SwiftSettings {
  readonly access: SwiftAccess;
  readonly description?: string;
  readonly weight: number;
  /** Accounts by reference; new images go to `defaultReference`. */
  readonly references: ReadonlyMap<string, SwiftAccount>;
  readonly defaultReference: string;
  readonly container: string;
  readonly createContainer: boolean;
  readonly largeObjectSize: number;
  readonly chunkSize: number;
  readonly containersSeed: number;
  readonly retryGetCount: number;
  readonly tls: { readonly insecure: boolean; readonly cacert?: string };
}

const INTERFACES = { publicURL: 'public', internalURL: 'internal', adminURL: 'admin' } as const;

/**
 * Checks the values of a store's group beyond their types, as glance_store's configure_add does
 * (and more: nothing is left to fail at the first write), and resolves the account(s).
 */
export function swiftSettings(store: string, v: SwiftOptionValues): SwiftSettings {
  const bad = (option: string, reason: string) => swiftErrors.error('GI_SWIFT_BAD_OPTIONS', { store, option, reason });
  if (v.swift_store_multi_tenant) throw bad('swift_store_multi_tenant', 'is not supported: glance-import keeps images in the one account of the store');
  if (v.swift_store_auth_version === '2') throw bad('swift_store_auth_version', 'is 2, but Keystone v2 no longer exists; use 3 (Keystone v3) or 1 (tempauth)');
  const version = v.swift_store_auth_version as '1' | '3';
  for (const [option, url] of [
    ['swift_store_auth_address', v.swift_store_auth_address],
    ['swift_store_endpoint', v.swift_store_endpoint],
  ] as const) {
    if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) throw bad(option, `is not an http:// or https:// URL`);
  }
  if (v.swift_store_container === '' || v.swift_store_container.includes('/')) throw bad('swift_store_container', 'must be a container name (not empty, no /)');

  let references: Map<string, SwiftAccount>;
  if (v.swift_store_config_file) {
    references = readReferences(store, v.swift_store_config_file, version);
    if (!references.has(v.default_swift_reference)) {
      throw bad(
        'default_swift_reference',
        `names '${v.default_swift_reference}', which ${v.swift_store_config_file} does not hold (it has ${[...references.keys()].map((r) => `[${r}]`).join(', ') || 'no reference'})`,
      );
    }
  } else {
    references = new Map([[v.default_swift_reference, groupAccount(v, version, bad)]]);
  }
  return {
    access: {
      store,
      endpoint: v.swift_store_endpoint?.replace(/\/+$/, ''),
      region: v.swift_store_region,
      interface: INTERFACES[v.swift_store_endpoint_type as keyof typeof INTERFACES],
      serviceType: v.swift_store_service_type,
      expireSoonMs: v.swift_store_expire_soon_interval * 1000,
    },
    description: v.store_description,
    weight: v.weight,
    references,
    defaultReference: v.default_swift_reference,
    container: v.swift_store_container,
    createContainer: v.swift_store_create_container_on_put,
    largeObjectSize: v.swift_store_large_object_size * SWIFT_MB,
    chunkSize: v.swift_store_large_object_chunk_size * SWIFT_MB,
    containersSeed: v.swift_store_multiple_containers_seed,
    retryGetCount: v.swift_store_retry_get_count,
    tls: { insecure: v.swift_store_auth_insecure, cacert: v.swift_store_cacert },
  };
}

/** The account of the group's own options (no references file), as glance_store's SwiftParams builds it. */
function groupAccount(v: SwiftOptionValues, version: '1' | '3', bad: (option: string, reason: string) => Error): SwiftAccount {
  if (!v.swift_store_auth_address) throw bad('swift_store_auth_address', 'is required (or give the accounts in swift_store_config_file)');
  const appId = v.swift_store_application_credential_id;
  const appSecret = v.swift_store_application_credential_secret;
  if (Boolean(appId) !== Boolean(appSecret))
    throw bad(
      appId ? 'swift_store_application_credential_secret' : 'swift_store_application_credential_id',
      'is required with the other half of the application credential',
    );
  if (appId && version !== '3') throw bad('swift_store_auth_version', 'must be 3 with an application credential');
  if (!appId) {
    if (!v.swift_store_user) throw bad('swift_store_user', 'is required');
    if (!v.swift_store_key) throw bad('swift_store_key', 'is required');
    if (version === '3' && v.swift_store_user.split(':').length !== 2) throw bad('swift_store_user', 'must be <project>:<user> with Keystone v3');
  }
  return {
    reference: v.default_swift_reference,
    authAddress: v.swift_store_auth_address,
    authVersion: version,
    user: appId ? undefined : v.swift_store_user,
    key: appId ? undefined : v.swift_store_key,
    applicationCredentialId: appId,
    applicationCredentialSecret: appSecret,
    projectName: v.swift_store_project_name,
    projectId: v.swift_store_project_id,
    userDomainId: 'default',
    projectDomainId: 'default',
    origin: {
      address: 'swift_store_auth_address',
      credentials: appId ? 'swift_store_application_credential_id / swift_store_application_credential_secret' : 'swift_store_user / swift_store_key',
    },
  };
}
