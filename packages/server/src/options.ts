import { boolean, dict, integer, list, option, port, string, type ConfigSchema, type CoreSchema, type GlanceConfig } from '@glance-import/core';
import { databaseSchema } from '@glance-import/db';
import { keystoneGroups } from '@glance-import/keystone';
import { METHODS } from './methods/index.js';

/**
 * The option groups the server reads, with Glance's group and option names and defaults
 * (`glance/common/config.py`), except where the spec says otherwise. `[DEFAULT]` and
 * `[glance_import]` are shared with core, which brings the plugin options and the plugin context's.
 * Load a config the server runs with as `loadConfig({ schema: serverSchema })`.
 */
export const serverSchema = {
  DEFAULT: {
    enable_image_import: option(boolean(), {
      default: true,
      help: 'List v2.6+ in /versions and serve the import calls; false answers them with 404 as v2.5 did.',
    }),
    node_staging_uri: option(string(), {
      help: "Staging area, 'file://<absolute path>'. Default: <data dir>/staging. Several nodes may share one directory on a shared filesystem (then leave worker_self_reference_url unset).",
    }),
    enabled_import_methods: option(list(string({ choices: METHODS.map((m) => m.name) })), {
      default: ['glance-direct', 'web-download', 'copy-image'],
      help: 'Import methods offered by /v2/info/import.',
    }),
    worker_self_reference_url: option(string(), {
      help: 'URL the other nodes reach this one at (distributed import): the node records itself as the stage host of what it stages, and an import of data staged on another node is relayed there.',
    }),
    public_endpoint: option(string(), { help: 'Public URL used in /versions links.' }),
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
    use_keystone_limits: option(boolean(), {
      default: false,
      help: 'Enforce per-project limits. Glance reads them from Keystone; glance-import reads them from [glance_import_limits].',
    }),
    debug: option(boolean(), { default: false, help: 'Log at debug level instead of info (`serve --log-level` overrides it).' }),
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
  import_filtering_opts: {
    allowed_schemes: option(list(string()), { default: ['http', 'https'], help: 'Schemes web-download may use.' }),
    disallowed_schemes: option(list(string()), { default: [], help: 'Schemes web-download refuses (ignored when allowed_schemes is set).' }),
    allowed_hosts: option(list(string()), { default: [], help: 'Hosts web-download may use.' }),
    disallowed_hosts: option(list(string()), { default: [], help: 'Hosts web-download refuses (ignored when allowed_hosts is set).' }),
    allowed_ports: option(list(port()), { default: [80, 443], help: 'Explicit ports web-download may use.' }),
    disallowed_ports: option(list(port()), { default: [], help: 'Explicit ports web-download refuses (ignored when allowed_ports is set).' }),
    allow_local_addresses: option(boolean(), {
      default: false,
      help: 'Beyond Glance: let web-download reach loopback, link-local and unspecified addresses (tests and labs only).',
    }),
    max_redirects: option(integer({ min: 0, max: 20 }), { default: 5, help: 'Beyond Glance: redirects web-download follows, each one filtered again.' }),
    connect_timeout: option(integer({ min: 1, max: 3600 }), {
      default: 30,
      help: 'Beyond Glance: seconds web-download waits for a connection (TCP and TLS) to the source.',
    }),
    read_timeout: option(integer({ min: 1, max: 3600 }), {
      default: 60,
      help: 'Beyond Glance: seconds web-download waits for the next byte from the source before failing the import as stalled.',
    }),
  },
  glance_store: {
    default_backend: option(string(), { help: 'Store used when an import names none (multi-store).' }),
    filesystem_store_datadir: option(string(), { help: 'File store directory (single-store). Default: <data dir>/images.' }),
    stores: option(list(string()), { default: ['file', 'http'], help: 'Store types available (single-store, legacy).' }),
    default_store: option(string(), { default: 'file', help: 'Store type used (single-store, legacy).' }),
  },
  glance_download_properties: {
    extra_properties: option(list(string()), {
      default: ['hw_', 'trait:', 'os_distro', 'os_secure_boot', 'os_type'],
      help: 'Property prefixes glance-download copies.',
    }),
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
    image_size_total: option(integer({ min: -1 }), {
      default: -1,
      help: 'MiB of image data a project may store (each store holding a copy counts); -1: no limit. Enforced when [DEFAULT] use_keystone_limits is true.',
    }),
    image_stage_total: option(integer({ min: -1 }), { default: -1, help: 'MiB a project may have in staging; -1: no limit.' }),
    image_count_total: option(integer({ min: -1 }), { default: -1, help: 'Images a project may have; -1: no limit.' }),
    image_count_uploading: option(integer({ min: -1 }), {
      default: -1,
      help: 'Images a project may be uploading, staging, importing or copying at once; -1: no limit.',
    }),
  },
  glance_import: {
    trusted_identity_headers: option(boolean(), {
      default: false,
      help: 'Take the caller from X-Identity-Status/X-User-Id/X-Project-Id/X-Roles set by a fronting proxy that authenticated it. Only behind such a proxy.',
    }),
    glance_download_endpoints: option(dict(string()), {
      default: {},
      help: "Beyond Glance (which reads Keystone's catalog): the Image API endpoint of each region glance-download may pull from, as 'RegionTwo:https://glance.two.example:9292'.",
    }),
    glance_download_tokens: option(dict(string()), {
      default: {},
      help: "A token to use with a region's endpoint instead of the caller's (when the regions do not share identities), as 'RegionTwo:<token>'.",
    }),
    policy_file: option(string(), { help: 'oslo.policy rules file (YAML or JSON). Default: <data dir>/policy.yaml when it exists.' }),
    shutdown_grace: option(integer({ min: 0, max: 86_400 }), {
      default: 30,
      help: 'Seconds a stopping server (SIGINT, SIGTERM) lets running imports finish before it stops them (they revert); reads keep answering meanwhile, new imports and uploads get 503.',
    }),
    metrics_access: option(string({ choices: ['open', 'token', 'admin'] }), {
      default: 'admin',
      help: "Who may read GET /metrics: 'open' (anyone who reaches the port), 'token' (any valid token), 'admin' (a token with the admin role). Scrapers send the token as X-Auth-Token or Authorization: Bearer.",
    }),
    console: option(boolean(), { default: true, help: 'Beyond Glance: serve the operator web console (@glance-import/console) at /console.' }),
  },
  // Read by @glance-import/db; a server opens the database its config names.
  database: databaseSchema,
  // Read by @glance-import/keystone: the identity mode, and keystonemiddleware's auth_token options.
  ...keystoneGroups,
} satisfies ConfigSchema;

/** A config loaded with the server's groups. */
export type ServerConfig = GlanceConfig<CoreSchema & typeof serverSchema>;
