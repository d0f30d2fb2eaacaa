import { defineTask } from '@glance-import/core';
import { giError } from '../errors.js';
import { storesFailed, type TaskDeps } from './deps.js';
import { expiry } from './job.js';
import { releaseLock } from './lock.js';
import { restoreImage } from './restore.js';

/**
 * Assert the lock. Its revert, the last of a failed import's, puts back the extra properties the
 * import wrote through the plugins' accessor (also those of a plugin without a revert), then the
 * image's status and attributes, and releases the lock.
 */
export function imageLock(d: TaskDeps) {
  return defineTask({
    name: 'ImageLock',
    rerunnable: true,
    execute: async () => {
      await d.image.load();
    },
    revert: async () => {
      await d.image.undoPropertyChanges().catch((err: unknown) => d.log.warn({ err }, 'could not put back the image properties the failed import changed'));
      await restoreImage(d, d.job.imageId, d.job.taskId, d.job.before, d.job.stores, d.log, { allFailed: storesFailed(d) });
    },
  });
}

/** The staged file must be complete (a stage counts only once renamed into place) and of the staged size. */
export function verifyStaging(d: TaskDeps) {
  return defineTask<Record<string, never>, string>({
    name: 'VerifyStaging',
    rerunnable: true,
    provides: 'file_path',
    execute: async () => {
      d.reached.section = 'plugins';
      const id = d.job.imageId;
      const size = await d.staging.size(id);
      if (size === undefined || !(await d.staging.has(id))) throw giError('GI_IMPORT_NOT_STAGED', { imageId: id, reason: 'no complete staged data was found' });
      const image = await d.image.load();
      if (image.size !== null && d.job.method.stagedSizeRecorded && image.size !== size) {
        throw giError('GI_IMPORT_NOT_STAGED', { imageId: id, reason: `staged ${size} bytes but the stage recorded ${image.size}` });
      }
      return d.staging.pathFor(id);
    },
  });
}

/** Mark the task successful and release the lock (Glance's _CompleteTask). */
export function completeTask(d: TaskDeps) {
  return defineTask({
    name: 'CompleteTask',
    rerunnable: true,
    execute: async () => {
      await d.progress.written(); // the final "Copied N MiB" lands before the task is seen finished
      const result = { image_id: d.job.imageId, inspections: d.inspections };
      try {
        await d.db.tasks.update(d.job.taskId, { status: 'success', result, expires_at: expiry(d.settings.taskTtlHours) }, { fromStatus: ['processing'] });
        await releaseLock(d.db, d.job.imageId, d.job.taskId);
      } catch (e) {
        // Past the commit point a failure here must not revert an active image: start-up recovery
        // or the stale-lock rule completes it (roll-forward.ts).
        if (d.reached.section !== 'committed') throw e;
        d.log.error(
          { err: e, image_id: d.job.imageId, task_id: d.job.taskId },
          'could not complete the committed import; it is completed at restart or by the next import call',
        );
        return;
      }
      d.log.info({ image_id: d.job.imageId, task_id: d.job.taskId }, 'Import completed');
    },
  });
}

/**
 * Staged data goes only once the data is in the stores, so a failed import can be retried; it never
 * fails the import (nothing after it can, but the completion's own write).
 */
export function deleteFromStaging(d: TaskDeps) {
  return defineTask({
    name: 'DeleteFromStaging',
    rerunnable: true,
    execute: async () => {
      await d.staging.remove(d.job.imageId).catch((e: unknown) => d.log.warn({ err: e, image_id: d.job.imageId }, 'could not remove staged data'));
    },
  });
}
