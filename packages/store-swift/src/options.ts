import { boolean, integer, list, option, secret, string, type GroupValues } from '@glance-import/core';

/**
 * The options of a swift store's group (`[objects]` for `enabled_backends = objects:swift`), with
 * glance_store's names and defaults. Sizes are in glance_store's "MB" of 1024 * 1000 bytes.
 */
export const swiftOptions = {
  store_description: option(string(), { help: 'Shown by GET /v2/info/stores.' }),
  weight: option(integer(), { default: 0, help: 'Preference order when several stores hold an image.' }),
  swift_store_auth_address: option(string(), { help: 'The auth endpoint: http://host:8080/auth/v1.0 (tempauth, version 1) or http://keystone:5000/v3.' }),
  swift_store_user: option(secret(), { help: 'account:user (version 1) or project:user (version 3).' }),
  swift_store_key: option(secret(), { help: "The user's key or password." }),
  swift_store_auth_version: option(string({ choices: ['1', '2', '3'] }), {
    default: '3',
    help: '1: tempauth/swauth; 3: Keystone v3. (2, Keystone v2, no longer exists.)',
  }),
  swift_store_application_credential_id: option(secret(), { help: 'Keystone v3 application credential id (instead of user and key).' }),
  swift_store_application_credential_secret: option(secret(), { help: 'Keystone v3 application credential secret.' }),
  swift_store_project_name: option(string(), { help: 'Project of the application credential (Keystone v3).' }),
  swift_store_project_id: option(string(), { help: 'Project id of the application credential (Keystone v3).' }),
  swift_store_config_file: option(string(), {
    help: 'A swift references file: one [<reference>] group per account (glance-swift.conf); credentials then stay out of glance-api.conf.',
  }),
  default_swift_reference: option(string(), { default: 'ref1', help: 'The reference (of swift_store_config_file) new images are written with.' }),
  swift_store_container: option(string(), {
    default: 'glance',
    help: 'The container, or the prefix of the containers with swift_store_multiple_containers_seed.',
  }),
  swift_store_create_container_on_put: option(boolean(), { default: false, help: 'Create a missing container on the first write.' }),
  swift_store_large_object_size: option(integer({ min: 1 }), {
    default: 5120,
    help: 'Size in MB above which an image is written as segments and a manifest (a Dynamic Large Object).',
  }),
  swift_store_large_object_chunk_size: option(integer({ min: 1 }), { default: 200, help: 'Segment size in MB.' }),
  swift_store_multiple_containers_seed: option(integer({ min: 0, max: 32 }), {
    default: 0,
    help: '0: one container; N: 16^N containers named after the first N characters of the image id.',
  }),
  swift_store_retry_get_count: option(integer({ min: 0 }), { default: 0, help: 'How many times a read that breaks is resumed from the byte it reached.' }),
  swift_store_endpoint: option(string(), { help: 'Storage URL to use instead of the one auth returns (up to the account, without the container).' }),
  swift_store_region: option(string(), { help: 'Keystone catalog region of the Swift endpoint.' }),
  swift_store_endpoint_type: option(string({ choices: ['publicURL', 'adminURL', 'internalURL'] }), {
    default: 'publicURL',
    help: 'Keystone catalog interface of the Swift endpoint.',
  }),
  swift_store_service_type: option(string(), { default: 'object-store', help: 'Keystone catalog service type of Swift.' }),
  swift_store_auth_insecure: option(boolean(), { default: false, help: 'Do not verify the server certificate (https).' }),
  swift_store_cacert: option(string(), { help: 'CA bundle to verify the server certificate with (https).' }),
  swift_store_expire_soon_interval: option(integer({ min: 0 }), { default: 60, help: 'Seconds before its expiry at which a token is renewed.' }),
  swift_store_multi_tenant: option(boolean(), { default: false, help: "Images in the tenants' own accounts: not supported (false only)." }),
  swift_store_admin_tenants: option(list(string()), { default: [], help: 'Multi-tenant only; accepted, no effect.' }),
  swift_store_use_trusts: option(boolean(), { default: true, help: 'Multi-tenant only; accepted, no effect.' }),
  swift_store_ssl_compression: option(boolean(), { default: true, help: 'Accepted, no effect (Node does not compress TLS).' }),
  swift_buffer_on_upload: option(boolean(), { default: false, help: 'Accepted, no effect: segments are written from the staged data, never buffered.' }),
  swift_upload_buffer_dir: option(string(), { help: 'Accepted, no effect (see swift_buffer_on_upload).' }),
};

export type SwiftOptionValues = GroupValues<typeof swiftOptions>;

/** glance_store's "MB" for swift sizes: units.k * units.Ki. */
export const SWIFT_MB = 1000 * 1024;
