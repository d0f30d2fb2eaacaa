import { storeError } from './contract-errors.js';

/** Where an image's object lives: the account's reference, its container and its name. */
export interface SwiftObject {
  readonly reference: string;
  readonly container: string;
  readonly object: string;
}

// glance_store writes `swift+config://<reference>/<container>/<object>` when the accounts come from a
// references file, so that no credentials are stored; we always do, the reference naming either a
// group of that file or the store's own options (default_swift_reference).
const SCHEME = 'swift+config://';

export function formatLocation(o: SwiftObject): string {
  return `${SCHEME}${o.reference}/${o.container}/${o.object}`;
}

export function parseLocation(store: string, location: string, references: ReadonlySet<string>): SwiftObject {
  const bad = (reason: string) => storeError('GI_STORE_BAD_LOCATION', { store, location: redact(location), reason });
  if (!location.startsWith(SCHEME)) {
    throw bad(location.startsWith('swift') ? 'only swift+config:// locations are read (locations with credentials are not)' : 'not a swift location');
  }
  const parts = location.slice(SCHEME.length).split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) throw bad('expected swift+config://<reference>/<container>/<object>');
  const [reference, container, object] = parts as [string, string, string];
  if (!references.has(reference)) throw bad(`reference '${reference}' is not configured for this store`);
  return { reference, container, object };
}

/** glance_store's old locations carry `user:key@`: never repeat that part. */
function redact(location: string): string {
  return location.replace(/\/\/[^/@]*@/, '//***@');
}

/**
 * The container of an image, as glance_store's get_container_name: the configured one, or with a
 * seed N, `<container>_<first N characters of the lower-case id>` (dashes kept, not counted).
 */
export function containerFor(imageId: string, container: string, seed: number): string {
  if (seed === 0) return container;
  const id = imageId.toLowerCase();
  const dashes = id.slice(0, seed).split('-').length - 1;
  return `${container}_${id.slice(0, seed + dashes)}`;
}

/** The name of segment `n` (from 1) of a large object: glance_store's `<object>-%05d`. */
export const segmentName = (object: string, n: number) => `${object}-${String(n).padStart(5, '0')}`;

/** Every segment name of `object` starts with this; DLO manifests point at it. */
export const segmentPrefix = (object: string) => `${object}-`;
