import type { Logger } from '@glance-import/core';
import type { Database, ImageRecord } from '@glance-import/db';
import type { StagingArea } from '@glance-import/store';
import { expiry, type ImageBefore } from './job.js';
import { lockHolder, releaseLock } from './lock.js';
import { IMPORTING_PROPERTY, parseStoreList, STAGE_HOST_PROPERTY, storeList } from './properties.js';

/**
 * An import's commit point: the image went `active` with its data in a store (one update, made once
 * every location is recorded). Past it the import is never rolled back, only completed; copy-image
 * never commits this way (its image was active before and stays so).
 */
export const hasCommitted = (image: Pick<ImageRecord, 'status' | 'locations'> | undefined, before: Pick<ImageBefore, 'status'>): boolean =>
  !!image && before.status !== 'active' && image.status === 'active' && image.locations.length > 0;

export interface RollForwardDeps {
  db: Database;
  staging: Pick<StagingArea, 'remove'>;
  taskTtlHours: number;
  log: Logger;
}

/**
 * Finish an import that committed but did not get to complete (the process died, or a later step
 * failed or was stopped): the task succeeds, staging is cleaned, the stores it wrote leave
 * `os_glance_importing_to_stores`, the lock is released. Idempotent; does nothing to an image
 * whose lock another task holds.
 */
export async function rollForward(d: RollForwardDeps, imageId: string, taskId: string, targets: readonly string[]): Promise<void> {
  const image = await d.db.images.get(imageId);
  if (!image || lockHolder(image) !== taskId) return;
  if ((await d.db.tasks.get(taskId))?.status !== 'success') {
    await d.db.tasks
      .update(
        taskId,
        { status: 'success', result: { image_id: imageId, inspections: [] }, expires_at: expiry(d.taskTtlHours) },
        { fromStatus: ['pending', 'processing', 'failure'] },
      )
      .catch((err: unknown) => d.log.warn({ err, task_id: taskId }, 'could not record the success of a committed import'));
  }
  await d.staging.remove(imageId).catch((err: unknown) => d.log.warn({ err, image_id: imageId }, 'could not remove staged data'));
  const stored = new Set(image.locations.map((l) => l.store));
  const importing = parseStoreList(image.properties[IMPORTING_PROPERTY]).filter((s) => !(targets.includes(s) && stored.has(s)));
  await d.db.images.update(imageId, {
    ...(image.properties[IMPORTING_PROPERTY] !== undefined ? { setProperties: { [IMPORTING_PROPERTY]: storeList(importing) } } : {}),
    removeProperties: [STAGE_HOST_PROPERTY],
  });
  await releaseLock(d.db, imageId, taskId);
  d.log.info({ image_id: imageId, task_id: taskId }, 'Completed an import that had committed before it was interrupted');
}
