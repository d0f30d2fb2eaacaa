import { link } from 'node:fs/promises';
import path from 'node:path';
import { syncDir, type AtomicTarget } from './atomic-file.js';
import { errnoOf, writeError } from './fs-errors.js';

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
