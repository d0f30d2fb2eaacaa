import { type Logger } from '@glance-import/core';
import { giError } from '../errors.js';
import type { Database, ImageChanges, ImageRecord, TaskRecord, UpdateConditions } from '@glance-import/db';
import type { StagingArea } from '@glance-import/store';
import { expiry, type ImportTaskInput } from './job.js';

/**
 * An image's import lock: the id of the task importing it, in this reserved property. This file is
 * the only code that reads or writes it; everything else goes through these functions.
 */
export const LOCK_PROPERTY = 'os_glance_import_task';

const MINUTE = 60_000;

/** The task holding the image's lock, if any. */
export const lockHolder = (image: ImageRecord): string | undefined => image.properties[LOCK_PROPERTY];

/** Take the lock for a task; false when another task holds it. */
export const acquireLock = (db: Database, imageId: string, taskId: string): Promise<boolean> => db.images.setPropertyIfAbsent(imageId, LOCK_PROPERTY, taskId);

/** Release the lock if this task still holds it (a takeover may have given it to another). */
export const releaseLock = (db: Database, imageId: string, taskId: string): Promise<unknown> =>
  db.images.deletePropertyIfEquals(imageId, LOCK_PROPERTY, taskId);

/**
 * Apply `changes` and release the lock in one transaction, only while this task holds it: of two
 * nodes putting one image back (a failed import and a takeover), exactly one does. False when the
 * task no longer held the lock, and then nothing changed.
 */
export async function releaseLockWith(db: Database, imageId: string, taskId: string, changes: ImageChanges): Promise<boolean> {
  try {
    await db.images.update(imageId, changes, { whileProperty: { name: LOCK_PROPERTY, value: taskId, remove: true } });
    return true;
  } catch (e) {
    if ((e as { code?: string }).code === 'GI_DB_CONFLICT' || (e as { code?: string }).code === 'GI_DB_NOT_FOUND') return false;
    throw e;
  }
}

/** The condition of a write only the lock's holder may make (an image made active). */
export const whileLockHeld = (taskId: string): UpdateConditions['whileProperty'] => ({ name: LOCK_PROPERTY, value: taskId });

/** A preempted import must not write: every access of its image checks it still holds the lock. */
export function assertLockHeld(image: ImageRecord, taskId: string): void {
  if (lockHolder(image) !== taskId) throw giError('GI_IMPORT_LOCK_LOST', { imageId: image.id, taskId });
}

/**
 * A lock is stale when its task is gone or finished (a process stopped before it released it), or
 * its task has not been updated for 60 minutes (120 while pending).
 */
export function isStale(task: TaskRecord | undefined, now = Date.now()): boolean {
  if (!task || task.status === 'success' || task.status === 'failure') return true;
  const age = now - Date.parse(task.updated_at);
  return age > (task.status === 'pending' ? 120 : 60) * MINUTE;
}

/** Images whose lock a finished task of this node (or of none) still holds: a process stopped between the two writes. */
export const locksOfFinishedTasks = (db: Database, node: string): Promise<Array<{ imageId: string; task: TaskRecord }>> =>
  db.tasks.finishedButNamed(LOCK_PROPERTY, node);

/** Whether the image holds an import lock that may be taken over. */
export async function holdsStaleLock(db: Database, image: ImageRecord): Promise<boolean> {
  const holder = lockHolder(image);
  return holder !== undefined && isStale(await db.tasks.get(holder));
}

export interface TakeOverDeps {
  db: Database;
  staging: Pick<StagingArea, 'has'>;
  log: Logger;
  taskTtlHours: number;
  /** Stop the holder's flow if it runs in this process; resolves once it has reverted. */
  stop(taskId: string, reason: string): Promise<void>;
  /** Put the image back as the holder's task input says it was before, releasing the holder's lock. */
  restore(taskId: string, input: ImportTaskInput): Promise<void>;
}

/**
 * Before an import: if the image holds a lock, take it over when stale (the old task failed with
 * "Expired lock preempted", its flow stopped if it runs here, the image put back to the status it
 * had before that import, the lock released), else 409 "Image has active task". A stale lock is
 * what a dead node leaves, so this is how an image never stays `importing` for good.
 */
export async function takeOverStaleLock(d: TakeOverDeps, image: ImageRecord): Promise<ImageRecord> {
  const holder = lockHolder(image);
  if (!holder) return image;
  const task = await d.db.tasks.get(holder);
  if (!isStale(task)) throw giError('GI_IMPORT_LOCKED', { imageId: image.id });
  d.log.warn({ image_id: image.id, task_id: holder }, 'Image has an expired import lock; preempting it');
  const preempted = giError('GI_IMPORT_LOCK_PREEMPTED', { taskId: holder });
  if (task && (task.status === 'pending' || task.status === 'processing')) {
    await d.db.tasks
      .update(
        task.id,
        { status: 'failure', message: preempted.message, result: { error_code: preempted.code }, expires_at: expiry(d.taskTtlHours) },
        { fromStatus: ['pending', 'processing'] },
      )
      .catch(() => {});
  }
  // A flow running in this process reverts, restores the image and releases the lock itself.
  await d.stop(holder, preempted.message);
  const fresh = (await d.db.images.get(image.id))!;
  if (lockHolder(fresh) === holder) {
    const input = task?.input as ImportTaskInput | null | undefined;
    if (input?.previous) {
      await d.restore(holder, input);
    } else {
      // The task record is gone: put an importing image back by what staging holds.
      const status = fresh.status !== 'importing' ? fresh.status : (await d.staging.has(image.id)) ? 'uploading' : 'queued';
      await releaseLockWith(d.db, image.id, holder, { columns: { status } });
    }
  }
  const after = (await d.db.images.get(image.id))!;
  if (lockHolder(after)) throw giError('GI_IMPORT_LOCKED', { imageId: image.id });
  return after;
}
