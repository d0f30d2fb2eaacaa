import { createReadStream, mkdirSync } from 'node:fs';
import { lstat, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { giError } from './errors.js';
import { isFile, PART, writeFileAtomic } from './atomic-file.js';
import { readError, writeError } from './fs-errors.js';
import { readFile } from './read-file.js';
import { checkImageId, isUuid } from './image-id.js';
import { committedOffset, discardUpload, UPLOAD, UPLOAD_OFFSET, uploadPaths, writeUpload, type UploadOptions } from './stage-upload.js';
import { CHUNK_SIZE, type HashResult, type Source, type WriteOptions } from './types.js';

/** Glance's name for the staging store, used in error messages. */
export const STAGING_STORE = 'os_glance_staging_store';

/** Accepts what Glance accepts: 'file://' followed by an absolute path; or a plain directory. */
function stagingDir(uri: string): string {
  if (uri.startsWith('file://')) {
    const dir = uri.slice('file://'.length);
    if (path.isAbsolute(dir)) return path.resolve(dir);
  } else if (uri && !/^[a-z][a-z0-9+.-]*:/i.test(uri)) {
    return path.resolve(uri);
  }
  throw giError('GI_STORE_BAD_STAGING_URI', { uri });
}

async function sizeOf(entry: string): Promise<number> {
  const s = await lstat(entry).catch(() => undefined);
  if (!s?.isDirectory()) return s?.size ?? 0;
  const names = await readdir(entry).catch(() => []);
  let total = 0;
  for (const name of names) total += await sizeOf(path.join(entry, name));
  return total;
}

export interface SweepOptions {
  /** A `.part` file of a live image untouched for this long is a leftover of a crash (default 10 min). */
  staleAfterMs?: number;
  /**
   * For an entry of a live image: whether to keep it, decided by the caller, who knows the image
   * (instead of the `staleAfterMs` rule). `kind`: `staged` (`<id>`, complete staged data),
   * `partial` (`<id>.part-*`, `<id>.upload` and its `.upload-offset`: a stage being written or kept for a resume), `derived` (any other `<id>.*`, a plugin's output).
   */
  keep?: (imageId: string, entry: StagingEntry) => Promise<boolean>;
}

export interface StagingEntry {
  name: string;
  kind: 'staged' | 'partial' | 'derived';
}

/**
 * The node's staging area (`node_staging_uri`): `<dir>/<image id>` holds staged data once complete;
 * plugins derive `<id>.<suffix>` files beside it.
 */
export class StagingArea {
  readonly dir: string;

  constructor(dirOrFileUri: string) {
    this.dir = stagingDir(dirOrFileUri);
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw writeError(e, STAGING_STORE, this.dir);
    }
  }

  pathFor(imageId: string): string {
    return path.join(this.dir, checkImageId(imageId));
  }

  /** True only for a complete stage: partial writes live under another name. */
  async has(imageId: string): Promise<boolean> {
    return isFile(this.pathFor(imageId));
  }

  async size(imageId: string): Promise<number | undefined> {
    const s = await stat(this.pathFor(imageId)).catch(() => undefined);
    return s?.isFile() ? s.size : undefined;
  }

  /** Stages data; a second stage of the same image is GI_STORE_STAGE_EXISTS (409) before any byte is read. */
  async write(imageId: string, source: Source, opts: WriteOptions = {}): Promise<HashResult> {
    const conflict = () => giError('GI_STORE_STAGE_EXISTS', { imageId });
    return writeFileAtomic(this.pathFor(imageId), source, opts, { store: STAGING_STORE, conflict });
  }

  /**
   * Stages data as an upload a client can resume (`PUT /stage`): see `writeUpload`. A failure keeps
   * what arrived (durable, with its offset); `discardUpload` removes it when it must not be resumed.
   */
  async writeUpload(imageId: string, source: Source, opts: UploadOptions = {}): Promise<HashResult> {
    return writeUpload(uploadPaths(this.pathFor(imageId)), source, opts, () => giError('GI_STORE_STAGE_EXISTS', { imageId }));
  }

  /** Bytes of a kept (broken-off) upload known durable; undefined when the image has none. */
  uploadOffset(imageId: string): Promise<number | undefined> {
    return committedOffset(uploadPaths(this.pathFor(imageId)));
  }

  /** The first `bytes` of a kept upload, read again when it is resumed (inspection sees the whole data). */
  readUpload(imageId: string, bytes: number): NodeJS.ReadableStream {
    const file = uploadPaths(this.pathFor(imageId)).data;
    return createReadStream(file, { start: 0, end: bytes - 1, highWaterMark: CHUNK_SIZE });
  }

  discardUpload(imageId: string): Promise<void> {
    return discardUpload(uploadPaths(this.pathFor(imageId)));
  }

  /** The staged data, read in large chunks (for the import to stores). */
  async read(imageId: string): Promise<{ stream: NodeJS.ReadableStream; size: number }> {
    const file = this.pathFor(imageId);
    return readFile(file, undefined, STAGING_STORE, file);
  }

  /**
   * Removes `<id>` and every `<id>.*` (plugin outputs, partial writes, a kept upload); nothing there
   * is fine. `keepUpload` spares a broken-off upload a client may resume.
   */
  async remove(imageId: string, opts: { keepUpload?: boolean } = {}): Promise<void> {
    const id = checkImageId(imageId);
    const kept = opts.keepUpload ? new Set([`${id}${UPLOAD}`, `${id}${UPLOAD_OFFSET}`]) : new Set<string>();
    for (const name of await this.names()) {
      if ((name === id || name.startsWith(`${id}.`)) && !kept.has(name)) await rm(path.join(this.dir, name), { recursive: true, force: true });
    }
  }

  /**
   * Start-up sweeper (Glance's StagingStoreCleaner): removes entries whose name before the first '.'
   * is the UUID of an image that is not live, and of live images those `opts.keep` refuses (without
   * it, stale partial writes); other names are left alone.
   */
  async sweep(isLive: (imageId: string) => Promise<boolean>, opts: SweepOptions = {}): Promise<string[]> {
    const staleBefore = Date.now() - (opts.staleAfterMs ?? 10 * 60_000);
    const live = new Map<string, Promise<boolean>>();
    const removed: string[] = [];
    for (const name of await this.names()) {
      const id = name.split('.')[0]!;
      if (!isUuid(id)) continue;
      if (!live.has(id)) live.set(id, isLive(id));
      const entry = path.join(this.dir, name);
      if (await live.get(id)) {
        // A kept upload (resumable staging) is a stage being written, like a `.part-*` one.
        const upload = name === `${id}${UPLOAD}` || name === `${id}${UPLOAD_OFFSET}`;
        const kind = name === id ? 'staged' : upload || name.startsWith(`${id}${PART}`) ? 'partial' : 'derived';
        const stalePart = name.includes(PART) && ((await lstat(entry).catch(() => undefined))?.mtimeMs ?? 0) < staleBefore;
        if (opts.keep ? await opts.keep(id, { name, kind }) : !stalePart) continue;
      }
      await rm(entry, { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }

  /** Bytes in staging, partial writes included (they take space too). */
  usage(): Promise<number> {
    return sizeOf(this.dir);
  }

  private names(): Promise<string[]> {
    return readdir(this.dir).catch((e: unknown) => {
      throw readError(e, STAGING_STORE, this.dir, this.dir);
    });
  }
}
