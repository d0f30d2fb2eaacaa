import type { Logger } from '@glance-import/core';
import type { Database } from '@glance-import/db';
import type { StagingArea, StagingEntry } from '@glance-import/store';
import type { StoreSet } from '../stores.js';
import { lockHolder } from './lock.js';

export interface SweepDeps {
  db: Database;
  staging: StagingArea;
  stores: Pick<StoreSet, 'byId'>;
  log: Logger;
}

/** The statuses in which an image's staged data, or a stage still being written, is its own. */
const STAGES = new Set(['queued', 'uploading', 'importing']);

/**
 * Whether a staging entry is accounted for by its (live) image. While an import holds the lock
 * (this node's resumed one, or another node's on shared staging) everything is its own. Without
 * one: the staged data and a partial stage belong to an image still being staged or imported
 * (a partial stage may be resumed); a plugin's output belongs to no one.
 */
async function stagingKeeps(db: Database, imageId: string, entry: StagingEntry): Promise<boolean> {
  const image = await db.images.get(imageId);
  if (!image) return false;
  if (lockHolder(image) !== undefined) return true;
  return entry.kind !== 'derived' && STAGES.has(image.status);
}

/**
 * At start-up, once this node's interrupted imports are settled and before any resumes: remove
 * what the service wrote that nothing accounts for any more: staging entries of images gone or
 * done with them, and partial store writes of images no import is writing (where the store can
 * list them cheaply). Failures are logged, never fatal: the next start sweeps again.
 */
export async function sweepLeftovers(d: SweepDeps): Promise<string[]> {
  const removed: string[] = [];
  try {
    const names = await d.staging.sweep((id) => d.db.images.isLive(id), { keep: (id, entry) => stagingKeeps(d.db, id, entry) });
    removed.push(...names.map((n) => `staging:${n}`));
  } catch (err) {
    d.log.warn({ err }, 'staging sweep failed');
  }
  const writing = async (imageId: string) => {
    const image = await d.db.images.get(imageId);
    return image !== undefined && lockHolder(image) !== undefined;
  };
  for (const store of d.stores.byId.values()) {
    try {
      removed.push(...((await store.sweepPartials?.(writing)) ?? []).map((n) => `${store.id}:${n}`));
    } catch (err) {
      d.log.warn({ err, store: store.id }, 'sweeping partial writes from the store failed');
    }
  }
  if (removed.length) d.log.info({ removed }, `removed ${removed.length} leftover file(s) of interrupted work`);
  return removed;
}
