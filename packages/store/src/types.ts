/** Sizes and digests of image data, as Glance records them on the image. */
export interface HashResult {
  /** Bytes read. */
  size: number;
  /** md5 hex digest (the image's `checksum`). */
  checksum: string;
  /** `os_hash_algo`, e.g. sha512. */
  hashAlgo: string;
  /** `os_hash_value`: hex digest with `hashAlgo`. */
  hashValue: string;
}

export interface ByteLimits {
  /** `image_size_cap`: fail with GI_STORE_TOO_LARGE (413) as soon as the stream passes it. */
  maxBytes?: number;
  /** Announced size: fail with GI_STORE_SIZE_MISMATCH when the stream ends short or runs long. */
  expectedBytes?: number;
}

export interface WriteOptions extends ByteLimits {
  /** Stops the write, removes partial data and rejects with GI_STORE_ABORTED. */
  signal?: AbortSignal;
  /** Called after each chunk with the bytes read so far (callers throttle). */
  onProgress?: (bytesDone: number) => void;
  /** `[DEFAULT] hashing_algorithm`; default sha512. md5 is always computed for `checksum`. */
  hashAlgo?: string;
  /**
   * false: count bytes only (`checksum` and `hashValue` are ''). Staging uses it: the hashes that
   * matter are those of the final data, taken when it is written to the stores.
   */
  hash?: boolean;
  /** The size the data is expected to have, unenforced (an upload's Content-Length): large data is hashed on worker threads. */
  sizeHint?: number;
  /**
   * Called as the data reaches the file (staging's atomic write only): the first `bytes` bytes of
   * the source are written, hashed, and held nowhere here any more, so the source may reuse their
   * memory. A write that does not call it holds on to nothing it was not given anew.
   */
  onWritten?: (bytes: number) => void;
}

/** Image data: a Node readable (an upload, a file) or any async iterable of buffers. */
export type Source = AsyncIterable<Buffer | Uint8Array> | NodeJS.ReadableStream;

/** A byte range, `end` inclusive as in HTTP `Range: bytes=start-end`; no `end` reads to the end. */
export interface ByteRange {
  start: number;
  end?: number;
}

/**
 * A store: where image data lives once imported. Small on purpose, so a third party can add one as a
 * package declaring an entry point in `glance.store.drivers` (see the README for the contract).
 */
export interface StoreDriver {
  /** The store id of `enabled_backends` (`fast` in `fast:file`). */
  readonly id: string;
  /** The store type (`file`, `http`, ...). */
  readonly type: string;
  /** A read-only store refuses `add` with GI_STORE_READ_ONLY. */
  readonly readOnly: boolean;
  /** Shown by `GET /v2/info/stores`. */
  readonly description?: string;
  /** Preference order when several stores hold an image (higher first). */
  readonly weight: number;
  /**
   * What `GET /v2/info/stores/detail` shows as the store's `properties`, with Glance's keys for the
   * store type (a swift store: `container`, `large_object_size`, ...). Never credentials.
   */
  readonly properties?: Readonly<Record<string, unknown>>;
  /**
   * Optional start-up check: is the store usable as configured (endpoint reachable, credentials
   * accepted, container or bucket present or creatable)? Called once when the service starts and by
   * `config check`; rejects with a coded error naming the store and the option to fix, so a bad
   * store fails there and not in the middle of the first import. Writes nothing.
   */
  check?(opts?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Atomic: the location exists only once every byte is durable; nothing is left on failure or abort.
   * `opts.expectedBytes`, when given, is the size of the data (a store may choose how to write by it:
   * one object or segments).
   */
  add(imageId: string, source: Source, opts?: WriteOptions): Promise<{ location: string } & HashResult>;
  /**
   * Optional: take a complete, durable local file as the image's data without copying it (a file
   * store on the same file system links it). Resolves undefined when this store cannot, and the
   * caller writes the data with `add`. The file itself is left where it is.
   */
  adopt?(imageId: string, file: string, opts?: { signal?: AbortSignal }): Promise<{ location: string } | undefined>;
  /**
   * Optional: store a complete local file's bytes as `add` would, with a copy of its own, but
   * without the bytes passing through this process (a file store has the kernel copy the file:
   * a reflink where its file system can, else an in-kernel copy; from any file system). Atomic and
   * clean on failure as `add`; hashing is the caller's (it has the file). Once the copy has begun
   * an abort is honoured when it ends, and what it wrote removed.
   */
  addFile?(
    imageId: string,
    file: string,
    opts?: { signal?: AbortSignal; expectedBytes?: number; onProgress?: (bytesDone: number) => void },
  ): Promise<{ location: string }>;
  /** `size` is the total size of the data, whatever the range. */
  get(location: string, range?: ByteRange): Promise<{ stream: NodeJS.ReadableStream; size: number }>;
  /** A location that is already gone is fine. */
  delete(location: string): Promise<void>;
  exists(location: string): Promise<boolean>;
  /**
   * Optional, where it is cheap: remove whatever this store holds under the image's name, complete
   * or partial (an `add` that a crash cut short: a `.part-*` file, segments, a multipart upload).
   * Called only when no recorded location points there. Returns the names removed.
   */
  discard?(imageId: string): Promise<string[]>;
  /**
   * Optional, where it is cheap: remove the partial writes (of `add`s a crash cut short) of every
   * image but those `keep` names (an import still writing them). Returns the names removed.
   */
  sweepPartials?(keep: (imageId: string) => Promise<boolean>): Promise<string[]>;
}

/** What an entry point in `glance.store.drivers` exports: (store id, the store's config group) → driver. */
export interface StoreDriverFactory {
  (id: string, options: Record<string, unknown>): StoreDriver;
}

/** The entry-point namespace store drivers are found in. */
export const STORE_DRIVERS_NAMESPACE = 'glance.store.drivers';

/** Chunk size of our reads and write buffers: large chunks keep per-chunk overhead off the byte path. */
export const CHUNK_SIZE = 1024 * 1024;
