import { giError } from '@glance-import/core';
import type { ImageRecord, TaskRecord } from '@glance-import/db';
import type { Runtime } from '../runtime.js';
import { FAILED_PROPERTY, IMPORTING_PROPERTY, LOCK_PROPERTY, parseStoreList, storeList } from './settings.js';

const MINUTE = 60_000;

/** A lock is stale when its task is gone, or its task has not been updated for 60 minutes (120 while pending). */
export function isStale(task: TaskRecord | undefined, now = Date.now()): boolean {
  if (!task) return true;
  const age = now - Date.parse(task.updated_at);
  return age > (task.status === 'pending' ? 120 : 60) * MINUTE;
}

/**
 * Before taking the lock: if the image holds one, take it over when stale (fail the old task with
 * "Expired lock preempted", stop its flow here, clear its stores from the progress lists), else 409.
 */
export async function bustStaleLock(rt: Runtime, image: ImageRecord): Promise<ImageRecord> {
  const holder = image.properties[LOCK_PROPERTY];
  if (!holder) return image;
  const task = await rt.db.tasks.get(holder);
  if (!isStale(task)) throw giError('GI_IMPORT_LOCKED', { imageId: image.id });
  rt.log.warn({ image_id: image.id, task_id: holder }, 'Image has an expired import lock; preempting it');
  if (task && (task.status === 'pending' || task.status === 'processing')) {
    await rt.db.tasks.update(task.id, { status: 'failure', message: 'Expired lock preempted', expires_at: expiry(rt) }, { fromStatus: ['pending', 'processing'] }).catch(() => {});
  }
  await rt.executor.abortTask(holder, 'Expired lock preempted');
  if (!(await rt.db.images.deletePropertyIfEquals(image.id, LOCK_PROPERTY, holder))) throw giError('GI_IMPORT_LOCKED', { imageId: image.id });
  const old = new Set((task?.input as { backend?: string[] } | null)?.backend ?? []);
  const fresh = (await rt.db.images.get(image.id))!;
  await rt.db.images.update(image.id, { setProperties: {
    [IMPORTING_PROPERTY]: storeList(parseStoreList(fresh.properties[IMPORTING_PROPERTY]).filter((s) => !old.has(s))),
    [FAILED_PROPERTY]: storeList(parseStoreList(fresh.properties[FAILED_PROPERTY]).filter((s) => !old.has(s))),
  } });
  return (await rt.db.images.get(image.id))!;
}

/** When a finished task is removed: `[task] task_time_to_live` hours from now. */
export function expiry(rt: Runtime): string {
  return new Date(Date.now() + rt.config.values.task.task_time_to_live * 3600_000).toISOString();
}
