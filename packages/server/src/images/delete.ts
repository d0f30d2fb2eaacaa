import type { Database, ImageRecord } from '@glance-import/db';
import type { FastifyBaseLogger } from 'fastify';
import type { StagingArea } from '@glance-import/store';
import type { Imports } from '../import/service.js';
import type { StoreSet } from '../stores.js';

export interface DeleteDeps {
  db: Database;
  stores: StoreSet;
  staging: StagingArea;
  imports: Pick<Imports, 'abortImage'>;
}

/**
 * Delete an image: mark it deleted first (a running import's lock checks then fail), stop its
 * import and wait for the revert, then remove its data from every store (partial writes
 * included) and from staging.
 */
export async function deleteImage(rt: DeleteDeps, image: ImageRecord, log: FastifyBaseLogger): Promise<void> {
  await rt.db.images.markDeleted(image.id);
  await rt.imports.abortImage(image.id, 'image deleted');
  for (const loc of image.locations) {
    const driver = rt.stores.byId.get(loc.store);
    try {
      await driver?.delete(loc.url);
    } catch (e) {
      log.warn({ err: e, image_id: image.id, store: loc.store }, 'could not delete image data from store; left behind');
    }
  }
  // Partial writes a crash left in a store have no location: only the store knows them by name.
  for (const driver of rt.stores.byId.values()) {
    await driver
      .discard?.(image.id)
      .catch((e: unknown) => log.warn({ err: e, image_id: image.id, store: driver.id }, 'could not remove partial data from store; left behind'));
  }
  await rt.staging.remove(image.id).catch((e: unknown) => log.warn({ err: e, image_id: image.id }, 'could not remove staged data'));
}
