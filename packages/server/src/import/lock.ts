import { giError } from '../errors.js';
import type { ImageRecord, TaskRecord } from '@glance-import/db';
import type { Runtime } from '../runtime.js';
import type { ImportTaskInput } from './job.js';
import { failsAllStores, restoreImage } from './restore.js';
import { LOCK_PROPERTY } from './settings.js';

const MINUTE = 60_000;

/** A lock is stale when its task is gone, or its task has not been updated for 60 minutes (120 while pending). */
export function isStale(task: TaskRecord | undefined, now = Date.now()): boolean {
  if (!task) return true;
  const age = now - Date.parse(task.updated_at);
  return age > (task.status === 'pending' ? 120 : 60) * MINUTE;
}

/** Whether the image holds an import lock that may be taken over. */
export async function holdsStaleLock(rt: Runtime, image: ImageRecord): Promise<boolean> {
  const holder = image.properties[LOCK_PROPERTY];
  return holder !== undefined && isStale(await rt.db.tasks.get(holder));
}

/**
 * Before an import: if the image holds a lock, take it over when stale (the old task failed with
 * "Expired lock preempted", its flow stopped if it runs here, the image put back to the status it
 * had before that import, the lock released), else 409 "Image has active task". A stale lock is
 * what a dead node leaves, so this is how an image never stays `importing` for good.
 */
export async function bustStaleLock(rt: Runtime, image: ImageRecord): Promise<ImageRecord> {
  const holder = image.properties[LOCK_PROPERTY];
  if (!holder) return image;
  const task = await rt.db.tasks.get(holder);
  if (!isStale(task)) throw giError('GI_IMPORT_LOCKED', { imageId: image.id });
  rt.log.warn({ image_id: image.id, task_id: holder }, 'Image has an expired import lock; preempting it');
  const preempted = giError('GI_IMPORT_LOCK_PREEMPTED', { taskId: holder });
  if (task && (task.status === 'pending' || task.status === 'processing')) {
    await rt.db.tasks.update(task.id, { status: 'failure', message: preempted.message, result: { error_code: preempted.code }, expires_at: expiry(rt) }, { fromStatus: ['pending', 'processing'] }).catch(() => {});
  }
  // A flow running in this process reverts, restores the image and releases the lock itself.
  await rt.executor.abortTask(holder, preempted.message);
  const fresh = (await rt.db.images.get(image.id))!;
  if (fresh.properties[LOCK_PROPERTY] === holder) {
    const input = task?.input as ImportTaskInput | null | undefined;
    if (input?.previous) {
      await restoreImage(rt, image.id, holder, input.previous, input.backend ?? [], rt.log, { allFailed: failsAllStores(input.import_req.method.name) });
    } else {
      // The task record is gone: put an importing image back by what staging holds.
      const status = fresh.status !== 'importing' ? fresh.status : (await rt.staging.has(image.id)) ? 'uploading' : 'queued';
      await rt.db.images.update(image.id, { columns: { status } });
      await rt.db.images.deletePropertyIfEquals(image.id, LOCK_PROPERTY, holder);
    }
  }
  const after = (await rt.db.images.get(image.id))!;
  if (after.properties[LOCK_PROPERTY]) throw giError('GI_IMPORT_LOCKED', { imageId: image.id });
  return after;
}

/** When a finished task is removed: `[task] task_time_to_live` hours from now. */
export function expiry(rt: Runtime): string {
  return new Date(Date.now() + rt.config.values.task.task_time_to_live * 3600_000).toISOString();
}
