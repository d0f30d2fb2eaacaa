import { boolean, dict, integer, list, option, string, type GroupSchema, type GroupValues } from './types.js';

/**
 * Options use Glance's group and option names and defaults (`glance/common/config.py`,
 * `glance-image-import.conf`), except where the spec says otherwise.
 */

const TiB = 1024 ** 4;

/** Option groups as a package declares them: `{ group: { option: spec } }`. */
export type ConfigSchema = Record<string, GroupSchema>;
/** The validated values of a schema's groups. */
export type ConfigValues<S extends ConfigSchema> = { -readonly [G in keyof S]: GroupValues<S[G]> };

/**
 * The options core and import plugins read: the plugin list and how plugins are found, and what an
 * import's plugin context carries (`image_size_cap`, `[image_format]`). The server brings its own
 * groups (and its `[DEFAULT]` options) to `loadConfig({ schema })`.
 */
export const coreSchema = {
  DEFAULT: {
    image_size_cap: option(integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { default: TiB, help: 'Largest image in bytes, checked while streaming.' }),
    enabled_backends: option(dict(string()), {
      help: "Stores as 'id:type, ...' (multi-store mode). 'file' is built in; other types come from packages declaring entry points in glance.store.drivers.",
    }),
  },
  image_import_opts: {
    image_import_plugins: option(list(string()), { default: [], help: 'Import plugins (entry-point names), run in this order.' }),
    max_parallel_stores: option(integer({ min: 1 }), { default: 1, help: 'Stores written at once by one import.' }),
  },
  image_format: {
    disk_formats: option(list(string()), {
      default: ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'],
      help: 'Accepted disk_format values.',
    }),
    container_formats: option(list(string()), {
      default: ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'],
      help: 'Accepted container_format values.',
    }),
    vmdk_allowed_types: option(list(string()), { default: ['streamOptimized', 'monolithicSparse'], help: 'VMDK create types conversion accepts.' }),
    require_image_format_match: option(boolean(), { default: true, help: 'Refuse data whose detected format differs from disk_format.' }),
    gpt_safety_checks_nonfatal: option(list(string()), { default: [], help: 'GPT/MBR safety checks that only warn.' }),
  },
  glance_import: {
    plugin_dirs: option(list(string()), { default: [], help: 'Beyond Glance: extra package directories searched for entry points.' }),
    plugin_load_errors: option(string({ choices: ['fail', 'warn'] }), {
      default: 'fail',
      help: "Beyond Glance: 'warn' skips a plugin that cannot load (with a warning) instead of refusing to start.",
    }),
    input_formats: option(list(string()), {
      default: [],
      help: 'Beyond Glance: disk formats users are expected to import; used to check the plugin chain. Empty: any.',
    }),
    input_compressed: option(boolean(), {
      default: false,
      help: 'Beyond Glance: users may import compressed data; the plugin chain must decompress before anything reads the format. A decompressor in image_import_plugins (image_decompression) says so too.',
    }),
  },
} satisfies ConfigSchema;

/**
 * Several packages' schemas as one, group by group: a group (`[DEFAULT]` above all) may take options
 * from several packages. An option two packages define is a mistake in one of them.
 */
export function composeSchemas(schemas: readonly ConfigSchema[]): ConfigSchema {
  const out: Record<string, Record<string, GroupSchema[string]>> = {};
  for (const schema of schemas) {
    for (const [group, options] of Object.entries(schema)) {
      const g = (out[group] ??= {});
      for (const [name, spec] of Object.entries(options)) {
        if (name in g) throw new RangeError(`option '${name}' of [${group}] is defined by two schemas`);
        g[name] = spec;
      }
    }
  }
  return out;
}

/** Options of each store group named in enabled_backends. */
export const storeGroupSchema = {
  filesystem_store_datadir: option(string(), { help: 'Directory of a file store.' }),
  store_description: option(string(), { help: 'Shown by /v2/info/stores.' }),
  weight: option(integer(), { default: 0, help: 'Store preference order.' }),
  http_store_base_url: option(string(), { help: 'Base URL of a read-only http store.' }),
} satisfies GroupSchema;

export type CoreSchema = typeof coreSchema;
export type CoreConfig = ConfigValues<CoreSchema>;
export type StoreGroupConfig = GroupValues<typeof storeGroupSchema>;

/**
 * Glance groups and [DEFAULT] options glance-import does not use. Existing glance-api.conf files
 * carry them; they are accepted and reported as ignored, not refused.
 */
export const IGNORED_GLANCE_GROUPS = new Set([
  'database',
  'paste_deploy',
  'oslo_policy',
  'keystone_authtoken',
  'oslo_messaging_notifications',
  'oslo_messaging_rabbit',
  'oslo_concurrency',
  'oslo_middleware',
  'oslo_limit',
  'profiler',
  'cors',
  'healthcheck',
  'key_manager',
  'barbican',
  'store_type_location_strategy',
  'image_cache',
  'cinder',
  'swift',
  'rbd',
  'vmware',
  'http_store',
  'oslo_reports',
  'audit_middleware_notifications',
]);

export const IGNORED_GLANCE_DEFAULT_OPTIONS = new Set([
  'verbose',
  'log_file',
  'log_dir',
  'log_config_append',
  'use_syslog',
  'use_stderr',
  'workers',
  'backlog',
  'tcp_keepidle',
  'client_socket_timeout',
  'max_header_line',
  'max_request_id_length',
  'http_keepalive',
  'image_cache_dir',
  'image_cache_max_size',
  'image_cache_driver',
  'image_cache_stall_time',
  'delayed_delete',
  'scrub_time',
  'scrubber_datadir',
  'registry_host',
  'registry_port',
  'transport_url',
  'cert_file',
  'key_file',
  'ca_file',
  'location_strategy',
  'property_protection_file',
  'property_protection_rule_format',
  'allow_additional_image_properties',
  'enable_v1_api',
  'enable_v2_api',
  'enable_v1_registry',
  'enable_v2_registry',
  'secure_proxy_ssl_header',
  'digest_algorithm',
  'metadata_encryption_key',
  'pydev_worker_debug_host',
  'pydev_worker_debug_port',
  'disabled_notifications',
  'default_publisher_id',
  'enforce_secure_rbac',
  'executor_thread_pool_size',
  'default_log_levels',
  'instance_format',
  'instance_uuid_format',
  'logging_context_format_string',
  'publish_errors',
  'use_json',
]);
