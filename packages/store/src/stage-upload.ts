import { link, open, readFile, rm, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { GlanceImportError } from '@glance-import/errors';
import { isFile, syncDir } from './atomic-file.js';
import { errnoOf, writeError } from './fs-errors.js';
import { fileWriter, SYNC_EVERY, type FileWriter } from './file-writer.js';
import { measure } from './measure.js';
import type { HashResult, Source, WriteOptions } from './types.js';

/**
 * An upload to staging in progress, or broken off and kept for resuming: `<id>.upload`. Its name is
 * fixed (one per image) so a client that lost its connection can continue it.
 */
export const UPLOAD = '.upload';
/**
 * `<id>.upload-offset`: the bytes of `<id>.upload` known durable (fsynced), written only after the
 * fsync. After a crash the data file may hold more than this (unsynced bytes a power cut could lose);
 * a resume cuts it back here.
 */
export const UPLOAD_OFFSET = '.upload-offset';

/** Bytes written between fsyncs: a crash loses at most this much of an upload. */
export const CHECKPOINT_BYTES = SYNC_EVERY;
const OFFSET_WIDTH = 20;

export interface UploadPaths {
  /** Where the complete stage goes: `<dir>/<id>`. */
  target: string;
  data: string;
  offset: string;
}

export const uploadPaths = (target: string): UploadPaths => ({ target, data: `${target}${UPLOAD}`, offset: `${target}${UPLOAD_OFFSET}` });

/** The committed offset of a kept upload, or undefined when there is none. */
export async function committedOffset(p: UploadPaths): Promise<number | undefined> {
  if (!(await isFile(p.data))) return undefined;
  const text = await readFile(p.offset, 'utf8').catch(() => '');
  // A missing or torn offset file commits nothing: resuming then starts over, which is always safe.
  return /^\d+$/.test(text) ? Number(text) : 0;
}

/** The record is one fixed-width write at position 0: a kill leaves the old value or the new, never a mix. */
async function recordOffset(handle: FileHandle, bytes: number): Promise<void> {
  await handle.write(String(bytes).padStart(OFFSET_WIDTH, '0'), 0, 'utf8');
}

export interface UploadOptions extends WriteOptions {
  /**
   * The first `resumeAt` bytes of `source` are those already committed in the kept upload: they are
   * read through (limits, hashes and inspection see the whole data) but not written again.
   */
  resumeAt?: number;
}

/**
 * Writes an upload to staging that can be continued: data in `<id>.upload`, fsynced every
 * CHECKPOINT_BYTES with the durable offset recorded beside it. At the end of the source it becomes
 * `<id>` (a hard link, never replacing a stage), and the upload files go. On any failure what was
 * written is made durable and kept, with its offset: the caller removes it (`discardUpload`) unless
 * the failure is one a client may resume from (a dropped connection).
 */
export async function writeUpload(p: UploadPaths, source: Source, opts: UploadOptions, conflict: () => GlanceImportError<string>): Promise<HashResult> {
  const resumeAt = opts.resumeAt ?? 0;
  const measured = measure(source, opts);
  if (await isFile(p.target)) throw conflict();
  let data: FileHandle | undefined;
  let offset: FileHandle | undefined;
  let writer: FileWriter | undefined;
  let pos = 0;
  try {
    // A fresh upload replaces whatever was kept; a resumed one drops what was never known durable.
    data = await open(p.data, resumeAt > 0 ? 'r+' : 'w');
    await data.truncate(resumeAt);
    offset = await open(p.offset, resumeAt > 0 ? 'r+' : 'w');
    if (resumeAt === 0) await recordOffset(offset, 0);
    await syncDir(path.dirname(p.target));
    const record = offset;
    writer = fileWriter(data, {
      at: resumeAt,
      onSynced: (durable) => recordOffset(record, durable),
      ...(opts.onWritten ? { onWritten: opts.onWritten } : {}),
    });
    for await (const chunk of measured) {
      const start = pos;
      pos += chunk.length;
      if (pos <= resumeAt) continue;
      const full = writer.write(start >= resumeAt ? chunk : chunk.subarray(resumeAt - start));
      if (full) await full;
    }
    if (pos < resumeAt) throw new Error(`the kept upload is shorter than its recorded offset ${resumeAt}`);
    await writer.sync();
    await data.close();
    data = undefined;
    try {
      await link(p.data, p.target);
    } catch (e) {
      if (errnoOf(e) === 'EEXIST') throw conflict();
      throw e;
    }
    await syncDir(path.dirname(p.target));
    await offset.close();
    offset = undefined;
    await unlink(p.data);
    await unlink(p.offset);
    return await measured.result();
  } catch (e) {
    // Keep what arrived for a resume (what waits in the batch too): durable first, then its offset.
    if (writer && data) {
      await writer.settle();
      await writer.sync().catch(() => undefined);
    }
    await data?.close().catch(() => undefined);
    await offset?.close().catch(() => undefined);
    throw writeError(e, 'os_glance_staging_store', p.target);
  }
}

/** Removes a kept upload (a plain PUT starting over, a refused stage, a deleted image). */
export async function discardUpload(p: UploadPaths): Promise<void> {
  await rm(p.data, { force: true });
  await rm(p.offset, { force: true });
}
