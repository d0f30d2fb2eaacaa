import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { defineTask, isGlanceImportError, reasonOf } from '@glance-import/core';
import { giError } from '../errors.js';
import type { ImageLocation } from '@glance-import/db';
import { writeToStores } from '@glance-import/store';
import { errorLabel } from '../metrics.js';
import type { TaskDeps } from './deps.js';
import type { Inspection } from './inspection.js';
import { whileLockHeld } from './lock.js';
import { FAILED_PROPERTY, IMPORTING_PROPERTY, INSPECTION_PROPERTY, parseStoreList, STAGE_HOST_PROPERTY, storeList } from './properties.js';

/**
 * Stream the working file into every target store at once (one read, hashes in the same pass).
 * As each store finishes it gains a location and leaves `os_glance_importing_to_stores` (or joins
 * `os_glance_failed_import`); then size, checksum, os_hash_value and virtual_size are recorded.
 * Revert removes what it wrote.
 */
export function importToStores(d: TaskDeps) {
  const written: ImageLocation[] = [];
  const mustSucceed = d.job.request.all_stores_must_succeed ?? true;
  const copy = d.job.method.copiesActiveImage;
  return defineTask<{ file_path: string; inspection?: Inspection }, string[]>({
    name: 'ImportToStore',
    // The inspection exists where the inspector ran.
    requires: d.job.method.runsPlugins ? ['file_path', 'inspection'] : ['file_path'],
    provides: 'stored',
    execute: async ({ file_path, inspection }) => {
      d.reached.section = 'stores';
      const { job } = d;
      const image = await d.image.load();
      const size = (await stat(file_path)).size;
      const drivers = job.stores.map((s) => d.stores.byId.get(s)!);
      for (const s of job.stores) d.progress.store(s, 'writing', 0);
      let bookkeeping: Promise<unknown> = Promise.resolve();
      const onStoreDone = (store: string, ok: boolean, location?: string) => {
        d.progress.store(store, ok ? 'done' : 'failed', ok ? size : undefined);
        if (!ok) return;
        bookkeeping = bookkeeping.then(async () => {
          written.push(await d.db.images.addLocation(job.imageId, { store, url: location!, metadata: { store }, status: 'active' }));
          await moveStore(d, store, 'done');
        });
      };
      let res;
      try {
        res = await writeToStores(createReadStream(file_path, { highWaterMark: 1024 * 1024 }), drivers, job.imageId, {
          hashAlgo: d.settings.hashAlgo,
          maxBytes: d.settings.imageSizeCap,
          expectedBytes: size,
          signal: d.signal,
          failFast: mustSucceed,
          onProgress: (bytesDone) => d.progress.report({ phase: 'store', bytesDone, bytesTotal: size }),
          onStoreDone,
        });
      } finally {
        await bookkeeping;
      }
      for (const r of res.results) {
        if (r.ok) d.metrics.bytesStored.inc({ store: r.store }, size);
        else if (!isGlanceImportError(r.error, 'GI_STORE_ABORTED')) {
          d.log.error({ store: r.store, err: r.error }, 'writing the image to a store failed');
          d.metrics.storeErrors.inc({ store: r.store, code: errorLabel(r.error) });
        }
      }
      // With all_stores_must_succeed the other stores are stopped when one fails: only the store
      // that failed on its own is recorded as failed; the stopped ones simply were not written.
      const failed = res.results.filter((r): r is Extract<typeof r, { ok: false }> => !r.ok && !isGlanceImportError(r.error, 'GI_STORE_ABORTED'));
      for (const r of res.results) if (!r.ok) await moveStore(d, r.store, failed.includes(r) ? 'failed' : 'stopped');
      if (res.results.every((r) => !r.ok) && res.results.length > 0 && !mustSucceed) throw giError('GI_IMPORT_NO_STORE_SUCCEEDED', {});
      if (failed.length && mustSucceed) {
        throw giError('GI_IMPORT_STORES_FAILED', {
          stores: failed.map((f) => f.store),
          reason: failed.map((f) => `${f.store}: ${reasonOf(f.error)}`).join('; '),
        });
      }
      if (copy && image.checksum && image.checksum !== res.hashes.checksum) {
        throw giError('GI_IMPORT_STORES_FAILED', { stores: job.stores, reason: 'checksum of copied data is different from current value set on the image' });
      }
      if (!copy) {
        const matches = inspection?.verdict === 'ok' && inspection.diskFormat === image.disk_format;
        await d.db.images.update(
          job.imageId,
          {
            columns: {
              status: 'active',
              size: res.hashes.size,
              checksum: res.hashes.checksum,
              os_hash_algo: res.hashes.hashAlgo,
              os_hash_value: res.hashes.hashValue,
              virtual_size: matches ? inspection!.virtualSize : size,
            },
            ...(inspection ? { setProperties: { [INSPECTION_PROPERTY]: JSON.stringify(inspection.record) } } : {}),
            removeProperties: [STAGE_HOST_PROPERTY],
          },
          // A preempted import (another node took its lock) must not make the image active.
          { fromStatus: ['importing'], whileProperty: whileLockHeld(job.taskId) },
        );
      }
      return written.map((l) => l.store);
    },
    revert: async () => {
      for (const loc of written.splice(0)) {
        await d.stores.byId
          .get(loc.store)
          ?.delete(loc.url)
          .catch((e: unknown) => d.log.warn({ err: e, store: loc.store }, 'could not delete data written by a failed import'));
        await d.db.images.removeLocation(d.job.imageId, loc.id).catch(() => {});
      }
    },
  });
}

/** Move one store out of `os_glance_importing_to_stores`, into `os_glance_failed_import` when it failed. */
async function moveStore(d: TaskDeps, store: string, outcome: 'done' | 'failed' | 'stopped'): Promise<void> {
  if (!d.stores.multi) return;
  const image = await d.image.load();
  const importing = parseStoreList(image.properties[IMPORTING_PROPERTY]).filter((s) => s !== store);
  const failed = parseStoreList(image.properties[FAILED_PROPERTY]);
  await d.db.images.update(d.job.imageId, {
    setProperties: {
      [IMPORTING_PROPERTY]: storeList(importing),
      [FAILED_PROPERTY]: storeList(outcome === 'failed' ? [...failed, store] : failed.filter((s) => s !== store)),
    },
  });
}
