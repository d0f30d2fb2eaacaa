import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { defineTask, isGlanceImportError, reasonOf, type Logger } from '@glance-import/core';
import { giError } from '../errors.js';
import type { ImageLocation } from '@glance-import/db';
import { inspectFile, type Check, type InspectionResult } from '@glance-import/format-inspector';
import { writeToStores } from '@glance-import/store';
import { judgeFormat } from '../images/format-check.js';
import type { Runtime } from '../runtime.js';
import type { LockedImage } from './accessor.js';
import type { ImportJob } from './job.js';
import { expiry } from './lock.js';
import type { ImportProgress } from './progress.js';
import { failsAllStores, restoreImage } from './restore.js';
import { FAILED_PROPERTY, IMPORTING_PROPERTY, INSPECTION_PROPERTY, LOCK_PROPERTY, parseStoreList, STAGE_HOST_PROPERTY, storeList } from './settings.js';

export interface TaskDeps {
  rt: Runtime;
  job: ImportJob;
  image: LockedImage;
  progress: ImportProgress;
  log: Logger;
  signal: AbortSignal;
  /** Every inspection of this import, in order, the refused one included (the task's result shows them). */
  inspections: InspectionRecord[];
}

/**
 * One run of the inspector as the task's `result.inspections` and the image's
 * `os_glance_inspection` show it (beyond Glance).
 */
export interface InspectionRecord {
  /** `staged`, or the plugin after which the data was inspected again. */
  phase: string;
  /** `compressed`: a plugin still to come decompresses the data, whose format is judged then. */
  verdict: 'ok' | 'skipped' | 'compressed' | 'refused';
  /** What the bytes are (for compressed data, the compression). */
  format: string;
  /** The image's disk_format at that point. */
  disk_format: string | null;
  virtual_size: number | null;
  checks: Check[];
  /** Why the data was refused, or what was let through with a warning. */
  reason?: string;
  warning?: string;
  inspector_version: string;
}

export interface Inspection extends InspectionResult {
  verdict: 'ok' | 'skipped' | 'compressed';
  record: InspectionRecord;
}

/** Assert the lock; its revert puts the image back and releases the lock. */
export function imageLock(d: TaskDeps) {
  return defineTask({
    name: 'ImageLock',
    execute: async () => { await d.image.load(); },
    revert: () => restoreImage(d.rt, d.job.imageId, d.job.task.id, d.job.before, d.job.stores, d.log, { allFailed: failsAllStores(d.job.request.method.name) }),
  });
}

/** The staged file must be complete (a stage counts only once renamed into place) and of the staged size. */
export function verifyStaging(d: TaskDeps) {
  return defineTask<Record<string, never>, string>({
    name: 'VerifyStaging',
    provides: 'file_path',
    execute: async () => {
      const id = d.job.imageId;
      const size = await d.rt.staging.size(id);
      if (size === undefined || !(await d.rt.staging.has(id))) throw giError('GI_IMPORT_NOT_STAGED', { imageId: id, reason: 'no complete staged data was found' });
      const image = await d.image.load();
      if (image.size !== null && d.job.request.method.name === 'glance-direct' && image.size !== size) {
        throw giError('GI_IMPORT_NOT_STAGED', { imageId: id, reason: `staged ${size} bytes but the stage recorded ${image.size}` });
      }
      return d.rt.staging.pathFor(id);
    },
  });
}

/**
 * Run the format inspector on the working file (beyond Glance: before any plugin, and again after
 * each plugin that rewrites the data) and refuse unsafe data. The verdict goes to the task; the
 * image gets the last one with its data (ImportToStore), so a failed import leaves it untouched.
 */
export function inspect(d: TaskDeps, label: string, acceptCompressed: boolean) {
  return defineTask<{ file_path: string }, Inspection>({
    name: `Inspect-${label}`,
    requires: ['file_path'],
    provides: 'inspection',
    execute: async ({ file_path }) => {
      const image = await d.image.load();
      const fmt = d.rt.config.values.image_format;
      const result = await inspectFile(file_path, {
        ...(image.disk_format ? { declaredFormat: image.disk_format } : {}), vmdkAllowedTypes: fmt.vmdk_allowed_types, gptSafetyChecksNonfatal: fmt.gpt_safety_checks_nonfatal,
      });
      const base = {
        phase: label, format: result.format, disk_format: image.disk_format, virtual_size: result.virtualSize, checks: result.checks, inspector_version: result.inspectorVersion,
      };
      let judged: ReturnType<typeof judgeFormat>;
      try {
        judged = judgeFormat(image, result, await readHead(file_path), { requireFormatMatch: fmt.require_image_format_match, acceptCompressed });
      } catch (e) {
        d.inspections.push({ ...base, verdict: 'refused', reason: reasonOf(e) });
        throw e;
      }
      const { verdict, compression, warning } = judged;
      if (warning) d.log.warn({ image_id: image.id }, warning);
      // The inspector sees compressed bytes as raw: only the compression is known until they are decompressed.
      const record: InspectionRecord = compression
        ? { ...base, verdict, format: compression, virtual_size: null, checks: result.checks.filter((c) => c.name !== 'format_match') }
        : { ...base, verdict, ...(warning ? { warning } : {}) };
      d.inspections.push(record);
      return { ...result, verdict, record };
    },
  });
}

async function readHead(file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of createReadStream(file, { start: 0, end: 15 })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Stream the working file into every target store at once (one read, hashes in the same pass).
 * As each store finishes it gains a location and leaves `os_glance_importing_to_stores` (or joins
 * `os_glance_failed_import`); then size, checksum, os_hash_value and virtual_size are recorded.
 * Revert removes what it wrote.
 */
export function importToStores(d: TaskDeps) {
  const written: ImageLocation[] = [];
  const mustSucceed = d.job.request.all_stores_must_succeed ?? true;
  const copy = d.job.request.method.name === 'copy-image';
  return defineTask<{ file_path: string; inspection?: Inspection }, string[]>({
    name: 'ImportToStore',
    requires: copy ? ['file_path'] : ['file_path', 'inspection'],
    provides: 'stored',
    execute: async ({ file_path, inspection }) => {
      const { rt, job } = d;
      const image = await d.image.load();
      const size = (await stat(file_path)).size;
      const drivers = job.stores.map((s) => rt.stores.byId.get(s)!);
      for (const s of job.stores) d.progress.store(s, 'writing', 0);
      let bookkeeping: Promise<unknown> = Promise.resolve();
      const onStoreDone = (store: string, ok: boolean, location?: string) => {
        d.progress.store(store, ok ? 'done' : 'failed', ok ? size : undefined);
        if (!ok) return;
        bookkeeping = bookkeeping.then(async () => {
          written.push(await rt.db.images.addLocation(job.imageId, { store, url: location!, metadata: { store }, status: 'active' }));
          await moveStore(d, store, 'done');
        });
      };
      let res;
      try {
        res = await writeToStores(createReadStream(file_path, { highWaterMark: 1024 * 1024 }), drivers, job.imageId, {
          hashAlgo: rt.config.values.DEFAULT.hashing_algorithm, maxBytes: rt.config.values.DEFAULT.image_size_cap, expectedBytes: size, signal: d.signal,
          failFast: mustSucceed, onProgress: (bytesDone) => d.progress.report({ phase: 'store', bytesDone, bytesTotal: size }), onStoreDone,
        });
      } finally {
        await bookkeeping;
      }
      for (const r of res.results) {
        if (!r.ok) d.log.error({ image_id: job.imageId, store: r.store, err: r.error }, 'writing the image to a store failed');
        else rt.metrics.bytesStored.add({ store: r.store }, size);
      }
      // With all_stores_must_succeed the other stores are stopped when one fails: only the store
      // that failed on its own is recorded as failed; the stopped ones simply were not written.
      const failed = res.results.filter((r): r is Extract<typeof r, { ok: false }> => !r.ok && !isGlanceImportError(r.error, 'GI_STORE_ABORTED'));
      for (const r of res.results) if (!r.ok) await moveStore(d, r.store, failed.includes(r) ? 'failed' : 'stopped');
      if (res.results.every((r) => !r.ok) && res.results.length > 0 && !mustSucceed) throw giError('GI_IMPORT_NO_STORE_SUCCEEDED', {});
      if (failed.length && mustSucceed) {
        throw giError('GI_IMPORT_STORES_FAILED', { stores: failed.map((f) => f.store), reason: failed.map((f) => `${f.store}: ${reasonOf(f.error)}`).join('; ') });
      }
      if (copy && image.checksum && image.checksum !== res.hashes.checksum) {
        throw giError('GI_IMPORT_STORES_FAILED', { stores: job.stores, reason: 'checksum of copied data is different from current value set on the image' });
      }
      if (!copy) {
        const matches = inspection?.verdict === 'ok' && inspection.diskFormat === image.disk_format;
        await rt.db.images.update(job.imageId, {
          columns: {
            status: 'active', size: res.hashes.size, checksum: res.hashes.checksum, os_hash_algo: res.hashes.hashAlgo, os_hash_value: res.hashes.hashValue,
            virtual_size: matches ? inspection!.virtualSize : size,
          },
          ...(inspection ? { setProperties: { [INSPECTION_PROPERTY]: JSON.stringify(inspection.record) } } : {}),
          removeProperties: [STAGE_HOST_PROPERTY],
        }, { fromStatus: ['importing'] });
      }
      return written.map((l) => l.store);
    },
    revert: async () => {
      for (const loc of written.splice(0)) {
        await d.rt.stores.byId.get(loc.store)?.delete(loc.url).catch((e: unknown) => d.log.warn({ err: e, store: loc.store }, 'could not delete data written by a failed import'));
        await d.rt.db.images.removeLocation(d.job.imageId, loc.id).catch(() => {});
      }
    },
  });
}

/** Move one store out of `os_glance_importing_to_stores`, into `os_glance_failed_import` when it failed. */
async function moveStore(d: TaskDeps, store: string, outcome: 'done' | 'failed' | 'stopped'): Promise<void> {
  if (!d.rt.stores.multi) return;
  const image = await d.image.load();
  const importing = parseStoreList(image.properties[IMPORTING_PROPERTY]).filter((s) => s !== store);
  const failed = parseStoreList(image.properties[FAILED_PROPERTY]);
  await d.rt.db.images.update(d.job.imageId, { setProperties: {
    [IMPORTING_PROPERTY]: storeList(importing),
    [FAILED_PROPERTY]: storeList(outcome === 'failed' ? [...failed, store] : failed.filter((s) => s !== store)),
  } });
}

/** Mark the task successful and release the lock (Glance's _CompleteTask). */
export function completeTask(d: TaskDeps) {
  return defineTask({
    name: 'CompleteTask',
    execute: async () => {
      await d.progress.written(); // the final "Copied N MiB" lands before the task is seen finished
      const result = { image_id: d.job.imageId, inspections: d.inspections };
      await d.rt.db.tasks.update(d.job.task.id, { status: 'success', result, expires_at: expiry(d.rt) }, { fromStatus: ['processing'] });
      await d.rt.db.images.deletePropertyIfEquals(d.job.imageId, LOCK_PROPERTY, d.job.task.id);
      d.log.info({ image_id: d.job.imageId, task_id: d.job.task.id }, 'Import completed');
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
    execute: async () => {
      await d.rt.staging.remove(d.job.imageId).catch((e: unknown) => d.log.warn({ err: e, image_id: d.job.imageId }, 'could not remove staged data'));
    },
  });
}
