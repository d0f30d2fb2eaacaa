import { def, defineErrors, quoteList as list } from '@glance-import/errors';

/**
 * The error codes of the staging area, the store drivers and the fan-out.
 * Codes are never reused or renumbered: scripts and operators match on them.
 */
export const storeErrors = defineErrors('GI_STORE_', {
  GI_STORE_BAD_STAGING_URI: def<{ uri: string }>({
    status: 400,
    message: (p) => `'node_staging_uri' is not set correctly ('${p.uri}'). Could not load staging store.`,
    hint: "Set [DEFAULT] node_staging_uri to 'file://<absolute path>', e.g. file:///var/lib/glance-import/staging.",
  }),
  GI_STORE_BAD_IMAGE_ID: def<{ imageId: string }>({
    status: 400,
    message: (p) => `'${p.imageId}' cannot name image data: it must be non-empty and hold no '/', '\\', '.' or NUL.`,
    hint: 'Image ids are UUIDs; pass the id of the image record.',
  }),
  GI_STORE_STAGE_EXISTS: def<{ imageId: string }>({
    status: 409,
    message: (p) => `The image ${p.imageId} has data on staging`,
    hint: (p) => `Import the staged data (POST /v2/images/${p.imageId}/import) or drop it (DELETE /v2/images/${p.imageId}/stage) before staging again.`,
  }),
  GI_STORE_DUPLICATE: def<{ store: string; imageId: string }>({
    status: 409,
    message: (p) => `Store '${p.store}' already holds data for image ${p.imageId}.`,
    hint: 'Delete the existing data from that store first, or import to another store.',
  }),
  GI_STORE_TOO_LARGE: def<{ limit: number }>({
    status: 413,
    message: (p) => `The incoming image is too large: it passed the limit of ${p.limit} bytes.`,
    hint: 'Upload a smaller image, or raise [DEFAULT] image_size_cap.',
  }),
  GI_STORE_SIZE_MISMATCH: def<{ expected: number; actual: number; longer: boolean }>({
    status: 400,
    message: (p) =>
      p.longer
        ? `The data is longer than the ${p.expected} bytes announced (at least ${p.actual} bytes arrived).`
        : `The data ended after ${p.actual} bytes; ${p.expected} bytes were announced.`,
    hint: 'Send exactly the announced number of bytes (x-openstack-image-size / Content-Length), or do not announce a size.',
  }),
  GI_STORE_FULL: def<{ store: string; path: string; reason: string }>({
    status: 413,
    message: (p) => `Image storage media is full: store '${p.store}' could not write '${p.path}' (${p.reason}).`,
    hint: "Free space (or raise the quota) on the store's file system, or import to another store.",
  }),
  GI_STORE_WRITE_DENIED: def<{ store: string; path: string; reason: string }>({
    status: 503,
    message: (p) => `Store '${p.store}' cannot be written: '${p.path}' (${p.reason}).`,
    hint: 'Check that the store directory exists, is a directory, is mounted read-write and is writable by the glance-import user.',
  }),
  GI_STORE_IO: def<{ store: string; path: string; reason: string }>({
    status: 500,
    message: (p) => `Store '${p.store}' failed on '${p.path}': ${p.reason}.`,
    hint: 'An I/O error from the operating system; check the disk and the kernel log. Nothing partial was kept.',
  }),
  GI_STORE_ABORTED: def<{ what: string; reason?: string }>({
    message: (p) => `${p.what} was aborted${p.reason ? `: ${p.reason}` : ''}.`,
    hint: 'The write was stopped through its abort signal (a cancelled task, a client that went away, or another store that failed with fail-fast); partial data was removed.',
  }),
  GI_STORE_SOURCE_FAILED: def<{ reason: string }>({
    message: (p) => `Reading the image data failed: ${p.reason}`,
    hint: 'The data source (an upload, a download or a staged file) broke off; the cause is attached. Partial data was removed; send the data again.',
  }),
  GI_STORE_NOT_FOUND: def<{ store: string; location: string }>({
    status: 404,
    message: (p) => `Store '${p.store}' has no data at '${p.location}'.`,
    hint: 'The image data was deleted or never written; the image location is stale.',
  }),
  GI_STORE_BAD_LOCATION: def<{ store: string; location: string; reason: string }>({
    message: (p) => `'${p.location}' is not a location of store '${p.store}': ${p.reason}.`,
    hint: 'Each store reads only the locations it wrote; pass the location to the store of its image location record.',
  }),
  GI_STORE_RANGE_NOT_SATISFIABLE: def<{ start: number; end?: number; size: number }>({
    status: 416,
    message: (p) => `Range ${p.start}-${p.end ?? ''} cannot be satisfied: the image has ${p.size} bytes.`,
    hint: 'Ask for a range that starts before the end of the data (bytes=<start>-<end>, end inclusive).',
  }),
  GI_STORE_READ_ONLY: def<{ store: string }>({
    status: 410,
    message: (p) => `Store '${p.store}' is read-only: image data cannot be added to it.`,
    hint: 'Import to a writable store; read-only stores (such as http) only serve existing locations.',
  }),
  GI_STORE_BAD_OPTIONS: def<{ store: string; reason: string }>({
    message: (p) => `Store '${p.store}' cannot be set up: ${p.reason}.`,
    hint: "Fix the store's group in the config (e.g. [<store id>] filesystem_store_datadir = /var/lib/glance-import/images).",
  }),
  GI_STORE_BAD_HASH_ALGO: def<{ algo: string; available: string[] }>({
    message: (p) => `Hashing algorithm '${p.algo}' is not available.`,
    hint: (p) => `Set [DEFAULT] hashing_algorithm to one of ${list(p.available)}.`,
  }),
});

/** Builds one of this package's errors: `giError('GI_STORE_BAD_STAGING_URI', { ... })`. */
export const giError = storeErrors.error;
