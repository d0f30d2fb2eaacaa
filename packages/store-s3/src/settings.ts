import { s3Errors } from './errors.js';
import { MiB, type S3OptionValues } from './options.js';

/** An s3 store's validated settings, sizes in bytes. */
export interface S3Settings {
  readonly store: string;
  readonly description?: string;
  readonly weight: number;
  /** `http://host:port` or `https://...`: where requests go. */
  readonly endpoint: string;
  /** How locations name the service: `s3://<host>/<bucket>/<key>` (`s3+https` over https), as glance_store. */
  readonly locationPrefix: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly bucket: string;
  readonly createBucket: boolean;
  readonly forcePathStyle: boolean;
  readonly largeObjectSize: number;
  readonly partSize: number;
  readonly threadPools: number;
  readonly cacert?: string;
  readonly checksums: { readonly request: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED'; readonly response: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED' };
}

/** A bucket name usable as a host name label (virtual-hosted addressing needs one). */
const DNS_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** Checks the group's values as glance_store's configure_add does, and more, up front. */
export function s3Settings(store: string, v: S3OptionValues): S3Settings {
  const bad = (option: string, reason: string) => s3Errors.error('GI_S3_BAD_OPTIONS', { store, option, reason });
  for (const option of ['s3_store_host', 's3_store_access_key', 's3_store_secret_key', 's3_store_bucket'] as const) {
    if (!v[option]) throw bad(option, 'is required');
  }
  const host = v.s3_store_host!;
  // glance_store: an https:// host makes s3+https locations; a bare host is http.
  const secure = host.startsWith('https://');
  const endpoint = /^https?:\/\//.test(host) ? host.replace(/\/+$/, '') : `http://${host.replace(/\/+$/, '')}`;
  try {
    new URL(endpoint);
  } catch {
    throw bad('s3_store_host', 'is not a host[:port] or an http(s):// URL');
  }
  const bucket = v.s3_store_bucket!;
  if (!/^[A-Za-z0-9._-]{3,255}$/.test(bucket)) throw bad('s3_store_bucket', `'${bucket}' is not a bucket name`);
  if (v.s3_store_bucket_url_format === 'virtual' && !DNS_BUCKET.test(bucket)) {
    throw bad('s3_store_bucket_url_format', `is virtual, but the bucket '${bucket}' is not a valid host name label; use path`);
  }
  const integrity = v.s3_store_enable_data_integrity_protection;
  const mode = (m: string) => (integrity && m === 'when_supported' ? ('WHEN_SUPPORTED' as const) : ('WHEN_REQUIRED' as const));
  return {
    store,
    description: v.store_description,
    weight: v.weight,
    endpoint,
    locationPrefix: `${secure ? 's3+https' : 's3'}://${endpoint.replace(/^https?:\/\//, '')}`,
    region: v.s3_store_region_name || amazonRegion(endpoint) || 'us-east-1',
    credentials: { accessKeyId: v.s3_store_access_key!, secretAccessKey: v.s3_store_secret_key! },
    bucket,
    createBucket: v.s3_store_create_bucket_on_put,
    forcePathStyle: v.s3_store_bucket_url_format === 'path',
    largeObjectSize: v.s3_store_large_object_size * MiB,
    partSize: v.s3_store_large_object_chunk_size * MiB,
    threadPools: v.s3_store_thread_pools,
    cacert: v.s3_store_cacert || undefined,
    checksums: { request: mode(v.s3_store_request_checksum_calculation), response: mode(v.s3_store_response_checksum_validation) },
  };
}

/** glance_store's get_s3_location: the region an Amazon S3 host name carries (`s3-eu-west-1.amazonaws.com`). */
function amazonRegion(endpoint: string): string | undefined {
  const host = new URL(endpoint).hostname;
  return /^s3[-.]([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(\.cn)?$/.exec(host)?.[1];
}
