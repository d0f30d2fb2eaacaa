import { constants } from 'node:fs';
import { copyFile, link, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { giError } from './errors.js';
import { isFile, publishAtomic, syncDir, syncPath, tempBeside, type AtomicTarget } from './atomic-file.js';
import { errnoOf, writeError } from './fs-errors.js';
import { abortError } from './measure.js';

// Not the same file system, or one without hard links: the caller copies instead.
const CANNOT_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EMLINK']);

/**
 * Makes a durable file (already fsynced) appear at `target` without copying a byte: a hard link, so
 * the source keeps its name until its owner removes it (the import's staging cleanup: link, then
 * unlink), and a failed import that drops `target` can still retry from the source. Never replaces
 * an existing target. Resolves false when linking is not possible here.
 */
export async function linkFileAtomic(file: string, target: string, where: AtomicTarget): Promise<boolean> {
  try {
    await link(file, target);
  } catch (e) {
    const code = errnoOf(e) ?? '';
    if (code === 'EEXIST') throw where.conflict();
    if (CANNOT_LINK.has(code)) return false;
    throw writeError(e, where.store, target);
  }
  await syncDir(path.dirname(target)).catch((e: unknown) => {
    throw writeError(e, where.store, target);
  });
  return true;
}

export interface CopyOptions {
  signal?: AbortSignal;
  /** The size `file` has: a copy of any other size is refused (GI_STORE_SIZE_MISMATCH). */
  expectedBytes?: number;
  /** Called now and then while the kernel copies, with the bytes copied so far. */
  onProgress?: (bytesDone: number) => void;
}

// A kernel copy holds one of libuv's threads until it ends (4 by default, shared with every file
// operation, DNS lookup and zlib call of the process): never more than two at once, so several
// imports to many stores cannot leave the rest of the server waiting for a thread.
const COPY_SLOTS = 2;
const PROGRESS_MS = 250;
let copying = 0;
const waiting: Array<() => void> = [];

async function inCopySlot<T>(run: () => Promise<T>): Promise<T> {
  if (copying < COPY_SLOTS) copying++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await run();
  } finally {
    // The slot passes straight to the next copy waiting, or is given back.
    const next = waiting.shift();
    if (next) next();
    else copying--;
  }
}

/** Reports the size `file` has reached every PROGRESS_MS until `done` settles. */
async function watchSize(file: string, done: Promise<unknown>, onProgress?: (bytesDone: number) => void) {
  if (!onProgress) return done;
  let watching = true;
  const timer = setInterval(() => {
    stat(file).then(
      (s) => watching && onProgress(s.size),
      () => undefined,
    );
  }, PROGRESS_MS);
  try {
    return await done;
  } finally {
    watching = false;
    clearInterval(timer);
  }
}

/**
 * Makes `target` an independent copy of a complete local file, without the bytes passing through
 * this process: the kernel copies (a reflink where the file system can share blocks until one side
 * changes, else copy_file_range, or sendfile across file systems) to a temporary name, which is
 * fsynced and published as writeFileAtomic publishes. The kernel's copy cannot be stopped once
 * begun: an abort is honoured when it returns. On any failure or abort nothing is left behind.
 */
export async function copyFileAtomic(file: string, target: string, opts: CopyOptions, where: AtomicTarget): Promise<void> {
  const { signal, expectedBytes, onProgress } = opts;
  if (signal?.aborted) throw abortError(signal);
  if (await isFile(target)) throw where.conflict();
  const tmp = tempBeside(target);
  try {
    await inCopySlot(async () => {
      if (signal?.aborted) throw abortError(signal);
      await watchSize(tmp, copyFile(file, tmp, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE), onProgress);
    });
    if (signal?.aborted) throw abortError(signal);
    const { size } = await stat(tmp);
    if (expectedBytes !== undefined && size !== expectedBytes) {
      throw giError('GI_STORE_SIZE_MISMATCH', { expected: expectedBytes, actual: size, longer: size > expectedBytes });
    }
    await syncPath(tmp);
    if (signal?.aborted) throw abortError(signal);
    await publishAtomic(tmp, target, where);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw writeError(e, where.store, target);
  }
}
