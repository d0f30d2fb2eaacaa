import type { Logger } from '@glance-import/core';
import type { Database } from '@glance-import/db';
import type { StagingArea } from '@glance-import/store';
import type { StoreSet } from '../stores.js';
import type { ImageBefore } from './job.js';
import { lockHolder, releaseLockWith } from './lock.js';
import { FAILED_PROPERTY, IMPORTING_PROPERTY, parseStoreList, storeList } from './properties.js';
import { hasCommitted, rollForward } from './roll-forward.js';
import type { ImportSettings } from './settings.js';

export interface RestoreDeps {
  db: Database;
  stores: Pick<StoreSet, 'multi'>;
  staging: Pick<StagingArea, 'remove'>;
  settings: Pick<ImportSettings, 'taskTtlHours'>;
}

/**
 * Put an image back as it was before a failed import and release the lock (idempotent; safe when
 * the image was deleted or another import took over). glance-direct returns to `uploading` with its
 * staged data, web-download to `queued`, copy-image stays `active` — never left in `importing`.
 * `allFailed`: the method counts every target store as failed (its descriptor's `failsAllStores`).
 * An import past its commit point (see `hasCommitted`) is completed instead: an active image is
 * never written back to its pre-import state.
 */
export async function restoreImage(
  d: RestoreDeps,
  imageId: string,
  taskId: string,
  before: ImageBefore,
  targets: readonly string[],
  log: Logger,
  opts: { allFailed?: boolean } = {},
): Promise<void> {
  const image = await d.db.images.get(imageId);
  if (!image) return;
  const holder = lockHolder(image);
  // No lock: this task's revert already put the image back (the service restores again after it).
  if (holder === undefined) return;
  if (holder !== taskId) {
    log.warn({ image_id: imageId, task_id: taskId, holder }, 'import lock no longer held by this task; leaving the image to its new owner');
    return;
  }
  if (hasCommitted(image, before)) {
    await rollForward({ db: d.db, staging: d.staging, taskTtlHours: d.settings.taskTtlHours, log }, imageId, taskId, targets);
    return;
  }
  const importing = parseStoreList(image.properties[IMPORTING_PROPERTY]).filter((s) => !targets.includes(s));
  // A failed import failed every store it targeted (Glance's download and conversion reverts do
  // this); copy-image only records the store that failed, the others keep or never had the image.
  const failed = [...parseStoreList(image.properties[FAILED_PROPERTY]), ...(opts.allFailed ? targets : [])];
  const columns = before.status === 'active' ? {} : { ...before };
  const restored = await releaseLockWith(d.db, imageId, taskId, {
    columns,
    setProperties: { [IMPORTING_PROPERTY]: storeList(importing), [FAILED_PROPERTY]: storeList(d.stores.multi ? failed : []) },
  });
  if (!restored) log.warn({ image_id: imageId, task_id: taskId }, 'import lock taken by another node while restoring; leaving the image to its new owner');
}
