import { storeError } from './contract-errors.js';

/**
 * glance_store's s3 locations are `s3://<access>:<secret>@<host>/<bucket>/<key>` (`s3+https` over
 * https); ours leave the credentials out — the store's own are used to read — and are otherwise the same.
 */
export function formatLocation(prefix: string, bucket: string, key: string): string {
  return `${prefix}/${bucket}/${key}`;
}

/** The bucket and key of a location of this store (same scheme and host). */
export function parseLocation(store: string, prefix: string, location: string): { bucket: string; key: string } {
  const bad = (reason: string) => storeError('GI_STORE_BAD_LOCATION', { store, location: location.replace(/\/\/[^/@]*@/, '//***@'), reason });
  if (/^s3(\+https?)?:\/\/[^/]*@/.test(location)) throw bad('locations with credentials are not read; this store reads with its own');
  if (!location.startsWith(`${prefix}/`)) throw bad(`not under ${prefix}`);
  const parts = location.slice(prefix.length + 1).split('/');
  if (parts.length !== 2 || parts.some((p) => p === '')) throw bad(`expected ${prefix}/<bucket>/<key>`);
  return { bucket: parts[0]!, key: parts[1]! };
}
