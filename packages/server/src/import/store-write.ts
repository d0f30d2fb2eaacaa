import { stat } from 'node:fs/promises';
import path from 'node:path';
import { defineTask, isGlanceImportError, reasonOf } from '@glance-import/core';
import { giError } from '../errors.js';
import type { ImageLocation } from '@glance-import/db';
import { knownFileHashes, stagedHashes } from '@glance-import/store';
import { storeWorkingFile } from './byte-path.js';
import { errorLabel } from '../metrics.js';
import type { TaskDeps } from './deps.js';
import type { Inspection } from './inspection.js';
import { whileLockHeld } from './lock.js';
import { FAILED_PROPERTY, IMPORTING_PROPERTY, INSPECTION_PROPERTY, parseStoreList, STAGE_HOST_PROPERTY, storeList } from './properties.js';

/**
 * Stream the working file into every target store at once (one read, hashes in the same pass, or
 * taken while staging and the staged file moved into a store: see storeWorkingFile).
 * As each store finishes it gains a location and leaves `os_glance_importing_to_stores` (or joins
 * `os_glance_failed_import`); then size, checksum, os_hash_value and virtual_size are recorded.
 * Revert removes what it wrote.
 */
export function importToStores(d: TaskDeps) {
  const written: ImageLocation[] = [];
  const mustSucceed = d.job.request.all_stores_must_succeed ?? true;
  const copy = d.job.method.copiesActiveImage;
  const drivers = d.job.stores.map((s) => d.stores.byId.get(s));
  return defineTask<{ file_path: string; inspection?: Inspection }, string[]>({
    name: 'ImportToStore',
    // Run again after a crash, it first clears what the cut-short run left in its target stores,
    // which only stores that can discard an image's leftovers allow.
    rerunnable: drivers.every((s) => typeof s?.discard === 'function'),
    // The inspection exists where the inspector ran.
    requires: d.job.method.runsPlugins ? ['file_path', 'inspection'] : ['file_path'],
    provides: 'stored',
    execute: async ({ file_path, inspection }) => {
      d.reached.section = 'stores';
      const { job } = d;
      if (job.resume) await clearTargets(d, job.imageId, job.stores);
      const image = await d.image.load();
      const size = (await stat(file_path)).size;
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
      // The staged file, untouched by any plugin, comes with the hashes taken while it was staged; a
      // plugin's output beside it (`<id>.*`, removed with the stage) is the import's own to move,
      // with the hashes the plugin took while it wrote it, when it did.
      const staged = file_path === d.staging.pathFor(job.imageId);
      const own = path.dirname(file_path) === d.staging.dir && path.basename(file_path).startsWith(`${job.imageId}.`);
      const known = staged
        ? await stagedHashes(d.staging, job.imageId, d.settings.hashAlgo)
        : own
          ? await knownFileHashes(file_path, d.settings.hashAlgo)
          : undefined;
      const working = { path: file_path, size, ...(known ? { known } : {}), own };
      let res;
      try {
        res = await storeWorkingFile(
          working,
          drivers.map((s) => s!),
          job.imageId,
          {
            hashAlgo: d.settings.hashAlgo,
            maxBytes: d.settings.imageSizeCap,
            expectedBytes: size,
            signal: d.signal,
            failFast: mustSucceed,
            onProgress: (bytesDone) => d.progress.report({ phase: 'store', bytesDone, bytesTotal: size }),
            onStoreDone,
          },
        );
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
        // The commit point: from here on the import is completed, never reverted (see run.ts).
        d.reached.section = 'committed';
      }
      return written.map((l) => l.store);
    },
    revert: async () => {
      // Past the commit point the image is active with this data: it is completed, not undone.
      if (d.reached.section === 'committed') return;
      written.splice(0);
      await clearTargets(d, d.job.imageId, d.job.stores, (e, store) => d.log.warn({ err: e, store }, 'could not delete data written by a failed import'));
    },
  });
}

/**
 * Remove what this import put in its target stores: their locations of the image with the data, and
 * (where a store can) anything else under the image's name there, such as a write a crash cut
 * short. None of the target stores held the image before the import (`resolveTargetStores`), so
 * all of it is this import's, even after a restart, when nothing of the first run is in memory.
 */
export async function clearTargets(
  d: Pick<TaskDeps, 'db' | 'stores'>,
  imageId: string,
  targets: readonly string[],
  onError?: (e: unknown, store: string) => void,
): Promise<void> {
  const image = await d.db.images.get(imageId);
  for (const loc of image?.locations.filter((l) => targets.includes(l.store)) ?? []) {
    const store = d.stores.byId.get(loc.store);
    try {
      await store?.delete(loc.url);
      await d.db.images.removeLocation(imageId, loc.id);
    } catch (e) {
      if (!onError) throw e;
      onError(e, loc.store);
    }
  }
  for (const s of targets) {
    await d.stores.byId
      .get(s)
      ?.discard?.(imageId)
      .catch((e: unknown) => {
        if (!onError) throw e;
        onError(e, s);
      });
  }
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
