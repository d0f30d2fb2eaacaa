import { randomBytes } from 'node:crypto';
import { link, open, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { GlanceImportError } from '@glance-import/errors';
import { errnoOf, writeError } from './fs-errors.js';
import { fileWriter, type FileWriter } from './file-writer.js';
import { abortError, measure } from './measure.js';
import type { HashResult, Source, WriteOptions } from './types.js';

/** Marks a file still being written; `<id>.part-<random>` so the sweeper can tell it from data. */
export const PART = '.part-';

// File systems without hard links answer link() with one of these; we fall back to rename.
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

export interface AtomicTarget {
  /** Store id for error messages. */
  store: string;
  /** The error when `target` already exists (stage exists / duplicate). */
  conflict: () => GlanceImportError<string>;
}

/** fsync by path: a file someone else wrote (a kernel copy), or a directory after an entry changed in it. */
export async function syncPath(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export const syncDir = (dir: string) => syncPath(dir);

/** A temporary name beside `target`, which the sweeper tells from data. */
export const tempBeside = (target: string) => `${target}${PART}${randomBytes(6).toString('hex')}`;

export const isFile = (file: string) =>
  stat(file).then(
    (s) => s.isFile(),
    () => false,
  );

/**
 * Writes `source` to `target` so that `target` appears only once its last byte is durable: a
 * temporary file beside it, fsync, then a hard link (which, unlike rename, never replaces an
 * existing target) and an fsync of the directory. Hashes in the same pass. On any failure, limit or
 * abort, nothing is left behind.
 */
export async function writeFileAtomic(target: string, source: Source, opts: WriteOptions, where: AtomicTarget): Promise<HashResult> {
  const measured = measure(source, opts);
  // Refused before any byte is read, so a conflicting upload is not consumed for nothing.
  if (await isFile(target)) throw where.conflict();
  const tmp = tempBeside(target);
  let handle: FileHandle | undefined;
  let writer: FileWriter | undefined;
  let committed = false;
  try {
    handle = await open(tmp, 'wx');
    writer = fileWriter(handle, opts.onWritten ? { onWritten: opts.onWritten } : {});
    for await (const chunk of measured) {
      const full = writer.write(chunk);
      if (full) await full;
    }
    await writer.sync();
    await handle.close();
    handle = undefined;
    if (opts.signal?.aborted) throw abortError(opts.signal);
    await publishAtomic(tmp, target, where);
    committed = true;
    return await measured.result();
  } catch (e) {
    if (handle) await writer?.settle();
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    if (committed) await rm(target, { force: true }).catch(() => undefined);
    throw writeError(e, where.store, target);
  }
}

/**
 * Gives a durable temporary file its name: a hard link (which, unlike rename, never replaces an
 * existing target), then an fsync of the directory. On any failure neither name is left.
 */
export async function publishAtomic(tmp: string, target: string, where: AtomicTarget): Promise<void> {
  let committed = false;
  try {
    try {
      await link(tmp, target);
      committed = true;
      await unlink(tmp);
    } catch (e) {
      if (committed) throw e;
      if (errnoOf(e) === 'EEXIST') throw where.conflict();
      if (!NO_LINKS.has(errnoOf(e) ?? '')) throw e;
      // Without hard links, check then rename: a narrow race, the same one Glance's file store has.
      if (await isFile(target)) throw where.conflict();
      await rename(tmp, target);
      committed = true;
    }
    await syncDir(path.dirname(target));
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    if (committed) await rm(target, { force: true }).catch(() => undefined);
    throw e;
  }
}
