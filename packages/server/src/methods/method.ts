import type { FlowItem, ImportRequest } from '@glance-import/core';
import type { ImageRecord, ImageStatus } from '@glance-import/db';
import type { ImportSettings } from '../import/settings.js';
import type { TaskDeps } from '../import/deps.js';
import type { QuotaName } from '../quotas.js';
import type { Resolver } from './uri-filter.js';

/** What a method's checks at the import call may use. */
export interface MethodCheckDeps {
  settings: ImportSettings;
  resolve: Resolver;
}

/**
 * An import method (Glance's glance-direct and internal plugins), whole: what the import call
 * checks, and the tasks that fill staging before VerifyStaging and the plugins run. A method task
 * that fails must remove what it wrote to staging; ImageLock's revert then puts the image back
 * (`queued` for web-download and glance-download, `active` for copy-image). Nothing outside
 * `methods/` looks at a method's name: what differs between methods is said here.
 */
export interface ImportMethod {
  readonly name: string;
  /** The status the image must have at the import call. */
  readonly requiredStatus: ImageStatus;
  /** Glance's 409 when it has another (an active image gets Glance's own message first). */
  readonly wrongStatus: string;
  /** The policy rule the import call enforces. */
  readonly policyRule: 'modify_image' | 'copy_image';
  /** Limits checked at the import call, in Glance's order, with what the import adds (bytes, or a count). */
  quotas(image: ImageRecord, stores: number): ReadonlyArray<readonly [QuotaName, number]>;
  /** The plugins of `image_import_plugins` and the format inspector run on the data. */
  readonly runsPlugins: boolean;
  /**
   * The data is the active image's own (copy-image): the image stays active while it runs; stores
   * already holding the data are skipped (`all_stores`) or refused; the copy must match the image's
   * checksum, and the image's status and hashes do not change.
   */
  readonly copiesActiveImage: boolean;
  /** The stage recorded the image's size, so the staged file must have it. */
  readonly stagedSizeRecorded: boolean;
  /** A failure fails every target store; otherwise only the stores that failed are recorded. */
  readonly failsAllStores: boolean;
  /** Extra checks at the API call, after status and policy (e.g. URI filtering → 400). */
  validate?(d: MethodCheckDeps, req: ImportRequest, image: ImageRecord): void | Promise<void>;
  /** Tasks run right after ImageLock; they must leave a complete staged file `<staging>/<image id>`. */
  tasks(d: TaskDeps): FlowItem[];
}
