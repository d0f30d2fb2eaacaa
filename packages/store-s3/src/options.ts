import { boolean, integer, option, secret, string, type GroupValues } from '@glance-import/core';

const CHECKSUMS = ['when_required', 'when_supported'];

/**
 * The options of an s3 store's group (`[s3objects]` for `enabled_backends = s3objects:s3`), with
 * glance_store's names and defaults. Sizes are in MiB (glance_store's units.Mi).
 */
export const s3Options = {
  store_description: option(string(), { help: 'Shown by GET /v2/info/stores.' }),
  weight: option(integer(), { default: 0, help: 'Preference order when several stores hold an image.' }),
  s3_store_host: option(string(), { help: 'The S3 endpoint: host[:port] (http), http://... or https://...' }),
  s3_store_region_name: option(string(), { default: '', help: "The region; '' takes it from an Amazon host name, else us-east-1." }),
  s3_store_access_key: option(secret(), { help: 'The access key.' }),
  s3_store_secret_key: option(secret(), { help: 'The secret key.' }),
  s3_store_bucket: option(string(), { help: 'The bucket images are written to.' }),
  s3_store_create_bucket_on_put: option(boolean(), { default: false, help: 'Create a missing bucket on the first write.' }),
  s3_store_bucket_url_format: option(string({ choices: ['auto', 'virtual', 'path'] }), {
    default: 'auto',
    help: 'Addressing: path (host/bucket/key), virtual (bucket.host/key) or auto.',
  }),
  s3_store_large_object_size: option(integer({ min: 0 }), { default: 100, help: 'Size in MiB from which an image is written as a multipart upload.' }),
  s3_store_large_object_chunk_size: option(integer({ min: 5 }), { default: 10, help: 'Part size in MiB (at least 5).' }),
  s3_store_thread_pools: option(integer({ min: 1 }), { default: 10, help: 'Parts uploaded at once.' }),
  s3_store_cacert: option(string(), { default: '', help: 'CA bundle to verify the server certificate with (https).' }),
  s3_store_enable_data_integrity_protection: option(boolean(), {
    default: false,
    help: 'Use the two checksum options below (off: checksums only where an operation requires them).',
  }),
  s3_store_request_checksum_calculation: option(string({ choices: CHECKSUMS }), { default: 'when_required', help: 'When request checksums are computed.' }),
  s3_store_response_checksum_validation: option(string({ choices: CHECKSUMS }), { default: 'when_required', help: 'When response checksums are validated.' }),
};

export type S3OptionValues = GroupValues<typeof s3Options>;

export const MiB = 1024 * 1024;
