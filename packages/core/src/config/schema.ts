import { boolean, dict, integer, list, option, port, string, type GroupSchema, type GroupValues } from './types.js';

/**
 * The options glance-import implements, with Glance's group and option names and defaults
 * (`glance/common/config.py`, `glance-image-import.conf`), except where the spec says otherwise.
 */

const TiB = 1024 ** 4;
export const IMPORT_METHODS = ['glance-direct', 'web-download', 'copy-image', 'glance-download'] as const;

export const coreSchema = {
  DEFAULT: {
    enable_image_import: option(boolean(), { default: true, help: 'List v2.6+ in /versions and serve the import calls; false answers them with 404 as v2.5 did.' }),
    node_staging_uri: option(string(), { help: "Staging area, 'file://<absolute path>'. Default: <data dir>/staging." }),
    enabled_import_methods: option(list(string({ choices: IMPORT_METHODS })), { default: ['glance-direct', 'web-download', 'copy-image'], help: 'Import methods offered by /v2/info/import.' }),
    worker_self_reference_url: option(string(), { help: 'URL other nodes use to reach this one (distributed import).' }),
    public_endpoint: option(string(), { help: 'Public URL used in /versions links.' }),
    image_size_cap: option(integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { default: TiB, help: 'Largest image in bytes, checked while streaming.' }),
    enabled_backends: option(dict(string()), { help: "Stores as 'id:type, ...' (multi-store mode). 'file' is built in; other types come from packages declaring entry points in glance.store.drivers." }),
    hashing_algorithm: option(string({ choices: ['sha512', 'sha384', 'sha256', 'sha1', 'md5'] }), { default: 'sha512', help: 'Algorithm of os_hash_value.' }),
    bind_host: option(string(), { default: '127.0.0.1', help: 'Address `serve` listens on unless --host is given.' }),
    bind_port: option(port(), { default: 9292, help: 'Port `serve` listens on unless --port is given.' }),
    limit_param_default: option(integer({ min: 1 }), { default: 25, help: 'Page size of list calls without limit.' }),
    api_limit_max: option(integer({ min: 1 }), { default: 1000, help: 'Largest page a list call returns.' }),
    image_property_quota: option(integer({ min: -1 }), { default: 128, help: 'Extra properties per image.' }),
    image_tag_quota: option(integer({ min: -1 }), { default: 128, help: 'Tags per image.' }),
    image_location_quota: option(integer({ min: -1 }), { default: 10, help: 'Locations per image.' }),
    image_member_quota: option(integer({ min: -1 }), { default: 128, help: 'Members per image.' }),
    show_multiple_locations: option(boolean(), { default: false, help: 'Show `locations` in the image view.' }),
    show_image_direct_url: option(boolean(), { default: false, help: 'Show `direct_url` in the image view.' }),
    user_storage_quota: option(string(), { default: '0', help: 'Bytes per project (B/KB/MB/GB/TB suffix); 0 is off.' }),
    use_keystone_limits: option(boolean(), { default: false, help: "Enforce per-project limits. Glance reads them from Keystone; glance-import reads them from [glance_import_limits]." }),
  },
  task: {
    task_executor: option(string({ choices: ['taskflow'] }), { default: 'taskflow', help: 'Kept for compatible config files; taskflow is the only executor.' }),
    work_dir: option(string(), { help: 'Scratch space for tasks (legacy).' }),
    task_time_to_live: option(integer({ min: 1 }), { default: 48, help: 'Hours a finished task is kept.' }),
  },
  taskflow_executor: {
    engine_mode: option(string({ choices: ['serial', 'parallel'] }), { default: 'parallel', help: 'How the flow engine runs atoms.' }),
    max_workers: option(integer({ min: 1 }), { default: 10, help: 'Atoms run at once by the parallel engine.' }),
    conversion_format: option(string({ choices: ['qcow2', 'raw', 'vmdk'] }), { help: 'Legacy import-task conversion (unused by interoperable import).' }),
  },
  image_import_opts: {
    image_import_plugins: option(list(string()), { default: [], help: 'Import plugins (entry-point names), run in this order.' }),
    max_parallel_stores: option(integer({ min: 1 }), { default: 1, help: 'Stores written at once by one import.' }),
  },
  import_filtering_opts: {
    allowed_schemes: option(list(string()), { default: ['http', 'https'], help: 'Schemes web-download may use.' }),
    disallowed_schemes: option(list(string()), { default: [], help: 'Schemes web-download refuses (ignored when allowed_schemes is set).' }),
    allowed_hosts: option(list(string()), { default: [], help: 'Hosts web-download may use.' }),
    disallowed_hosts: option(list(string()), { default: [], help: 'Hosts web-download refuses (ignored when allowed_hosts is set).' }),
    allowed_ports: option(list(port()), { default: [80, 443], help: 'Explicit ports web-download may use.' }),
    disallowed_ports: option(list(port()), { default: [], help: 'Explicit ports web-download refuses (ignored when allowed_ports is set).' }),
    allow_local_addresses: option(boolean(), { default: false, help: 'Beyond Glance: let web-download reach loopback, link-local and unspecified addresses (tests and labs only).' }),
    max_redirects: option(integer({ min: 0, max: 20 }), { default: 5, help: 'Beyond Glance: redirects web-download follows, each one filtered again.' }),
    connect_timeout: option(integer({ min: 1, max: 3600 }), { default: 30, help: 'Beyond Glance: seconds web-download waits for a connection (TCP and TLS) to the source.' }),
    read_timeout: option(integer({ min: 1, max: 3600 }), { default: 60, help: 'Beyond Glance: seconds web-download waits for the next byte from the source before failing the import as stalled.' }),
  },
  glance_store: {
    default_backend: option(string(), { help: 'Store used when an import names none (multi-store).' }),
    filesystem_store_datadir: option(string(), { help: 'File store directory (single-store). Default: <data dir>/images.' }),
    stores: option(list(string()), { default: ['file', 'http'], help: 'Store types available (single-store, legacy).' }),
    default_store: option(string(), { default: 'file', help: 'Store type used (single-store, legacy).' }),
  },
  image_format: {
    disk_formats: option(list(string()), { default: ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'], help: 'Accepted disk_format values.' }),
    container_formats: option(list(string()), { default: ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'], help: 'Accepted container_format values.' }),
    vmdk_allowed_types: option(list(string()), { default: ['streamOptimized', 'monolithicSparse'], help: 'VMDK create types conversion accepts.' }),
    require_image_format_match: option(boolean(), { default: true, help: 'Refuse data whose detected format differs from disk_format.' }),
    gpt_safety_checks_nonfatal: option(list(string()), { default: [], help: 'GPT/MBR safety checks that only warn.' }),
  },
  glance_download_properties: {
    extra_properties: option(list(string()), { default: ['hw_', 'trait:', 'os_distro', 'os_secure_boot', 'os_type'], help: 'Property prefixes glance-download copies.' }),
  },
  wsgi: {
    task_pool_threads: option(integer({ min: 1 }), { default: 16, help: 'Imports run at once by one server.' }),
    python_interpreter: option(string(), { help: 'Unused (Glance runs qemu-img info through it).' }),
  },
  os_glance_staging_store: {
    filesystem_store_datadir: option(string(), { help: 'Staging directory in multi-store mode.' }),
  },
  os_glance_tasks_store: {
    filesystem_store_datadir: option(string(), { help: 'Task scratch directory in multi-store mode.' }),
  },
  glance_import_limits: {
    image_size_total: option(integer({ min: -1 }), { default: -1, help: 'MiB of image data a project may store (each store holding a copy counts); -1: no limit. Enforced when [DEFAULT] use_keystone_limits is true.' }),
    image_stage_total: option(integer({ min: -1 }), { default: -1, help: 'MiB a project may have in staging; -1: no limit.' }),
    image_count_total: option(integer({ min: -1 }), { default: -1, help: 'Images a project may have; -1: no limit.' }),
    image_count_uploading: option(integer({ min: -1 }), { default: -1, help: 'Images a project may be uploading, staging, importing or copying at once; -1: no limit.' }),
  },
  glance_import: {
    plugin_dirs: option(list(string()), { default: [], help: 'Beyond Glance: extra package directories searched for entry points.' }),
    plugin_load_errors: option(string({ choices: ['fail', 'warn'] }), { default: 'fail', help: "Beyond Glance: 'warn' skips a plugin that cannot load (with a warning) instead of refusing to start." }),
    input_formats: option(list(string()), { default: [], help: 'Beyond Glance: disk formats users are expected to import; used to check the plugin chain. Empty: any.' }),
    input_compressed: option(boolean(), { default: false, help: 'Beyond Glance: users may import compressed data; the plugin chain must decompress before anything reads the format.' }),
    trusted_identity_headers: option(boolean(), { default: false, help: 'Take the caller from X-Identity-Status/X-User-Id/X-Project-Id/X-Roles set by a fronting proxy that authenticated it. Only behind such a proxy.' }),
    glance_download_endpoints: option(dict(string()), { default: {}, help: "Beyond Glance (which reads Keystone's catalog): the Image API endpoint of each region glance-download may pull from, as 'RegionTwo:https://glance.two.example:9292'." }),
    glance_download_tokens: option(dict(string()), { default: {}, help: "A token to use with a region's endpoint instead of the caller's (when the regions do not share identities), as 'RegionTwo:<token>'." }),
    database_url: option(string(), { help: "Database: 'sqlite:///<path>' (default <data dir>/glance.sqlite)." }),
    policy_file: option(string(), { help: 'oslo.policy rules file (YAML or JSON). Default: <data dir>/policy.yaml when it exists.' }),
  },
} satisfies Record<string, GroupSchema>;

/** Options of each store group named in enabled_backends. */
export const storeGroupSchema = {
  filesystem_store_datadir: option(string(), { help: 'Directory of a file store.' }),
  store_description: option(string(), { help: 'Shown by /v2/info/stores.' }),
  weight: option(integer(), { default: 0, help: 'Store preference order.' }),
  http_store_base_url: option(string(), { help: 'Base URL of a read-only http store.' }),
} satisfies GroupSchema;

export type CoreSchema = typeof coreSchema;
export type CoreConfig = { -readonly [G in keyof CoreSchema]: GroupValues<CoreSchema[G]> };
export type StoreGroupConfig = GroupValues<typeof storeGroupSchema>;

/**
 * Glance groups and [DEFAULT] options glance-import does not use. Existing glance-api.conf files
 * carry them; they are accepted and reported as ignored, not refused.
 */
export const IGNORED_GLANCE_GROUPS = new Set([
  'database', 'oslo_policy', 'oslo_messaging_notifications', 'oslo_messaging_rabbit',
  'oslo_concurrency', 'oslo_middleware', 'oslo_limit', 'profiler', 'cors', 'healthcheck', 'key_manager', 'barbican',
  'store_type_location_strategy', 'image_cache', 'cinder', 'swift', 'rbd', 'vmware', 'http_store', 'oslo_reports', 'audit_middleware_notifications',
]);

/**
 * Glance groups another glance-import package reads with its own schema (`GlanceConfig.section`):
 * known here, so they are neither unknown nor reported as ignored.
 */
export const GROUPS_READ_BY_PACKAGES = new Set([
  // @glance-import/keystone: the identity mode and keystonemiddleware's auth_token options.
  'paste_deploy', 'keystone_authtoken',
]);

export const IGNORED_GLANCE_DEFAULT_OPTIONS = new Set([
  'debug', 'verbose', 'log_file', 'log_dir', 'log_config_append', 'use_syslog', 'use_stderr', 'workers', 'backlog', 'tcp_keepidle',
  'client_socket_timeout', 'max_header_line', 'max_request_id_length', 'http_keepalive', 'image_cache_dir', 'image_cache_max_size',
  'image_cache_driver', 'image_cache_stall_time', 'delayed_delete', 'scrub_time', 'scrubber_datadir', 'registry_host', 'registry_port',
  'transport_url', 'cert_file', 'key_file', 'ca_file', 'location_strategy', 'property_protection_file', 'property_protection_rule_format',
  'allow_additional_image_properties', 'enable_v1_api', 'enable_v2_api', 'enable_v1_registry', 'enable_v2_registry', 'secure_proxy_ssl_header',
  'digest_algorithm', 'metadata_encryption_key', 'pydev_worker_debug_host', 'pydev_worker_debug_port', 'disabled_notifications',
  'default_publisher_id', 'enforce_secure_rbac', 'executor_thread_pool_size', 'default_log_levels',
  'instance_format', 'instance_uuid_format', 'logging_context_format_string', 'publish_errors', 'use_json',
]);
