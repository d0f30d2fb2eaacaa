import type { Logger } from '../logger.js';

/** The body of `POST /v2/images/{id}/import`, as Glance defines it. */
export interface ImportRequest {
  method: {
    name: string;
    uri?: string;
    glance_image_id?: string;
    glance_region?: string;
    glance_service_interface?: string;
  };
  stores?: string[];
  all_stores?: boolean;
  all_stores_must_succeed?: boolean;
}

/** Who asked for the import. */
export interface RequestIdentity {
  userId: string;
  projectId: string;
  roles: readonly string[];
  isAdmin: boolean;
}

/** The image as a plugin sees it: base attributes plus extra properties. */
export interface ImageSnapshot {
  id: string;
  status: string;
  name: string | null;
  disk_format: string | null;
  container_format: string | null;
  size: number | null;
  virtual_size: number | null;
  owner: string | null;
  extraProperties: Readonly<Record<string, string>>;
}

export type SettableAttribute = 'status' | 'disk_format' | 'container_format' | 'size' | 'virtual_size';

/**
 * How plugins read and change the image (Glance's action wrapper). Every call checks that the
 * import still holds the image's lock, so a preempted import cannot write.
 */
export interface ImageAccessor {
  get(): Promise<ImageSnapshot>;
  setAttributes(attributes: Partial<Record<SettableAttribute, string | number | null>>): Promise<void>;
  /** Keys in the reserved `os_glance` namespace are refused with a warning, as in Glance. */
  setExtraProperties(properties: Record<string, string>): Promise<void>;
  removeExtraProperties(names: readonly string[]): Promise<void>;
}

export interface ProgressUpdate {
  /** Short phase name, e.g. 'decompress', 'convert', 'store:fast'. */
  phase: string;
  bytesDone?: number;
  bytesTotal?: number;
}

export interface ProgressReporter {
  report(update: ProgressUpdate): void;
}

export const noProgress: ProgressReporter = { report: () => {} };

/** What `getFlow(ctx)` receives. `O` is the plugin's validated options. */
export interface ImportContext<O = Record<string, unknown>> {
  readonly taskId: string;
  readonly taskType: 'api_image_import';
  readonly imageId: string;
  readonly importRequest: ImportRequest;
  /** The plugin's own options, validated against the schema it exports. */
  readonly options: O;
  readonly image: ImageAccessor;
  /** Directory holding staged data; the staged file is `<stagingDir>/<imageId>`. */
  readonly stagingDir: string;
  /** Target store ids of this import. */
  readonly stores: readonly string[];
  readonly identity: RequestIdentity;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  readonly progress: ProgressReporter;
  /** The whole service config's image-format policy, for plugins that inspect data. */
  readonly imageFormat: { vmdkAllowedTypes: readonly string[]; requireFormatMatch: boolean; gptSafetyChecksNonfatal: readonly string[] };
  /** `[DEFAULT] image_size_cap` in bytes. */
  readonly imageSizeCap: number;
  /**
   * `[DEFAULT] hashing_algorithm`, the `os_hash_algo` the store write records: a plugin that hashes
   * the output it writes (md5 and this) can leave those hashes with it (see @glance-import/store's
   * `rememberFileHashes`) so the store write does not read the file again to hash it.
   */
  readonly hashAlgo?: string;
  /** Bytes this import may still add to staging under the project's staging quota; undefined: no quota. */
  readonly stagingBytesLimit?: number;
}

/**
 * Names the import flow binds for plugin tasks: `file_path` is the absolute path of the working
 * copy of the data; a task that rewrites the data provides a new `file_path`.
 */
export const FILE_PATH = 'file_path';
