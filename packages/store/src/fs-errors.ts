import { isGlanceImportError, reasonOf, type GlanceImportError } from '@glance-import/errors';
import { giError } from './errors.js';

const FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
// The store cannot be written at all: permissions, a read-only mount, a directory that is gone or a file.
const DENIED = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'ENOENT', 'EISDIR']);

export const errnoOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

/** A failed write as a registered error: the HTTP status follows Glance (full 413, denied 503). */
export function writeError(e: unknown, store: string, path: string): GlanceImportError<string> {
  if (isGlanceImportError(e)) return e;
  const code = errnoOf(e);
  const p = { store, path, reason: reasonOf(e) };
  if (code && FULL.has(code)) return giError('GI_STORE_FULL', p, { cause: e });
  if (code && DENIED.has(code)) return giError('GI_STORE_WRITE_DENIED', p, { cause: e });
  return giError('GI_STORE_IO', p, { cause: e });
}

/** A failed read: missing data is GI_STORE_NOT_FOUND, anything else an I/O error. */
export function readError(e: unknown, store: string, path: string, location: string): GlanceImportError<string> {
  if (isGlanceImportError(e)) return e;
  if (errnoOf(e) === 'ENOENT') return giError('GI_STORE_NOT_FOUND', { store, location }, { cause: e });
  return giError('GI_STORE_IO', { store, path, reason: reasonOf(e) }, { cause: e });
}
