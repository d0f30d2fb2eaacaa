import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { defineTask, giError, type Logger } from '@glance-import/core';
import type { ImageLocation } from '@glance-import/db';
import { inspectFile, type InspectionResult } from '@glance-import/format-inspector';
import { writeToStores } from '@glance-import/store';
import { judgeFormat } from '../images/format-check.js';
import type { Runtime } from '../runtime.js';
import type { LockedImage } from './accessor.js';
import type { ImportJob } from './job.js';
import { expiry } from './lock.js';
import type { ImportProgress } from './progress.js';
import { restoreImage } from './restore.js';
import { FAILED_PROPERTY, IMPORTING_PROPERTY, INSPECTION_PROPERTY, LOCK_PROPERTY, parseStoreList, storeList } from './settings.js';

export interface TaskDeps {
  rt: Runtime;
  job: ImportJob;
  image: LockedImage;
  progress: ImportProgress;
  log: Logger;
  signal: AbortSignal;
}

export interface Inspection extends InspectionResult {
  /** Set when the data is compressed and a later plugin decompresses it: format checks wait. */
  compressed?: string;
  verdict: 'ok' | 'skipped' | 'compressed';
}

/** Assert the lock; its revert puts the image back and releases the lock. */
export function imageLock(d: TaskDeps) {
  return defineTask({
    name: 'ImageLock',
    execute: async () => { await d.image.load(); },
    revert: () => restoreImage(d.rt, d.job.imageId, d.job.task.id, d.job.before, d.job.stores, d.log),
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
 * each plugin that rewrites the data), refuse unsafe data, and record the verdict on the image.
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
      const head = await readHead(file_path);
      const { verdict, warning } = judgeFormat(image, result, head, { requireFormatMatch: fmt.require_image_format_match, acceptCompressed });
      if (warning) d.log.warn({ image_id: image.id }, warning);
      const record = { phase: label, format: result.format, virtual_size: result.virtualSize, safe: result.safe, verdict, checks: result.checks, inspector_version: result.inspectorVersion };
      await d.rt.db.images.update(image.id, { setProperties: { [INSPECTION_PROPERTY]: JSON.stringify(record) } });
      return { ...result, verdict };
    },
  });
}

async function readHead(file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of createReadStream(file, { start: 0, end: 15 })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Stream the working file into every target store at once (one read, hashes in the same pass),
 * then record size, checksum, os_hash_value, virtual_size and locations. Revert removes what it wrote.
 */
export function importToStores(d: TaskDeps) {
  const written: ImageLocation[] = [];
  const mustSucceed = d.job.request.all_stores_must_succeed ?? true;
  const copy = d.job.request.method.name === 'copy-image';
  return defineTask<{ file_path: string; inspection: Inspection }, string[]>({
    name: 'ImportToStore',
    requires: ['file_path', 'inspection'],
    provides: 'stored',
    execute: async ({ file_path, inspection }) => {
      const { rt, job } = d;
      const image = await d.image.load();
      const size = (await stat(file_path)).size;
      const drivers = job.stores.map((s) => rt.stores.byId.get(s)!);
      for (const s of job.stores) d.progress.store(s, 'writing', 0);
      const res = await writeToStores(createReadStream(file_path, { highWaterMark: 1024 * 1024 }), drivers, job.imageId, {
        hashAlgo: rt.config.values.DEFAULT.hashing_algorithm, maxBytes: rt.config.values.DEFAULT.image_size_cap, expectedBytes: size, signal: d.signal,
        onProgress: (bytesDone) => d.progress.report({ phase: 'store', bytesDone, bytesTotal: size }),
        onStoreDone: (store, ok) => d.progress.store(store, ok ? 'done' : 'failed', ok ? size : undefined),
      });
      for (const r of res.results) {
        if (r.ok) written.push(await rt.db.images.addLocation(job.imageId, { store: r.store, url: r.location, metadata: { store: r.store }, status: 'active' }));
        else d.log.error({ image_id: job.imageId, store: r.store, err: r.error }, 'writing the image to a store failed');
        rt.metrics.bytesStored.add({ store: r.store }, r.ok ? size : 0);
      }
      const failed = res.results.filter((r) => !r.ok);
      const reason = failed.map((f) => `${f.store}: ${(f as { error: Error }).error?.message ?? 'failed'}`).join('; ');
      if (failed.length && (mustSucceed || failed.length === res.results.length)) {
        throw failed.length === res.results.length && !mustSucceed ? giError('GI_IMPORT_NO_STORE_SUCCEEDED', {}) : giError('GI_IMPORT_STORES_FAILED', { stores: failed.map((f) => f.store), reason });
      }
      if (copy && image.checksum && image.checksum !== res.hashes.checksum) throw giError('GI_IMPORT_STORES_FAILED', { stores: job.stores, reason: 'checksum of copied data is different from current value set on the image' });
      const virtual = inspection.verdict === 'ok' && (inspection.format === image.disk_format || (inspection.format === 'gpt' && image.disk_format === 'raw')) ? inspection.virtualSize : size;
      const importing = parseStoreList(image.properties[IMPORTING_PROPERTY]).filter((s) => !job.stores.includes(s));
      const failedStores = [...parseStoreList(image.properties[FAILED_PROPERTY]), ...failed.map((f) => f.store)];
      await rt.db.images.update(job.imageId, {
        columns: copy ? {} : {
          status: 'active', size: res.hashes.size, checksum: res.hashes.checksum, os_hash_algo: res.hashes.hashAlgo, os_hash_value: res.hashes.hashValue,
          virtual_size: virtual,
        },
        setProperties: { [IMPORTING_PROPERTY]: storeList(rt.stores.multi ? importing : []), [FAILED_PROPERTY]: storeList(rt.stores.multi ? failedStores : []) },
      }, copy ? {} : { fromStatus: ['importing'] });
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

/** Mark the task successful and release the lock (Glance's _CompleteTask). */
export function completeTask(d: TaskDeps) {
  return defineTask({
    name: 'CompleteTask',
    execute: async () => {
      await d.progress.written(); // the final "Copied N MiB" lands before the task is seen finished
      await d.rt.db.tasks.update(d.job.task.id, { status: 'success', result: { image_id: d.job.imageId }, expires_at: expiry(d.rt) }, { fromStatus: ['processing'] });
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
