import { open, rm } from 'node:fs/promises';
import { isGlanceImportError } from '@glance-import/core';
import { createHasher, createWorkerHasher, type HashResult, type Hasher, type WorkerHasher } from '@glance-import/store';
import { giError } from './errors.js';
import { runQemuImg } from './qemu-img.js';

/**
 * Guest bytes converted per qemu-img run. Small enough that hashing a slice overlaps converting the
 * next, large enough that starting qemu-img (about 15 ms) is lost in the copy.
 */
export const SLICE_BYTES = 128 * 1024 * 1024;
/** Below this, hashing on this thread costs less than handing chunks to the worker threads. */
const WORKER_MIN_BYTES = 64 * 1024 * 1024;
const READ_BYTES = 1024 * 1024;

/** The inline hasher (small images) or the worker one, which can also be read into. */
type SliceHasher = Hasher & { dispose?(): void; readInto?: WorkerHasher['readInto'] };

// qemu's key=value option syntax: a comma inside a value is written twice.
const value = (s: string) => s.replaceAll(',', ',,');

/**
 * `qemu-img convert` of guest bytes [offset, offset + length) of `src` (read with `driver`, as
 * `-f` would) into the same range of the raw file `part`, which already has its full size: a raw
 * layer with an offset on both sides. `-n --target-is-zero`: the target is a fresh sparse file,
 * so zeros are skipped as a whole-image convert skips them, and the output keeps its holes.
 */
export function sliceArgs(src: string, driver: string, part: string, offset: number, length: number): string[] {
  const range = `driver=raw,offset=${offset},size=${length}`;
  return [
    'convert',
    '-n',
    '--target-is-zero',
    '--image-opts',
    `${range},file.driver=${driver},file.file.driver=file,file.file.filename=${value(src)}`,
    '--target-image-opts',
    `${range},file.driver=file,file.filename=${value(part)}`,
  ];
}

export interface RawSliceOptions {
  signal: AbortSignal;
  /** For the whole conversion, all slices together. */
  timeoutMs: number;
  /** md5 and this, of the output, taken while it is written; none without it. */
  hashAlgo?: string;
  onProgress: (bytesDone: number) => void;
  /** SLICE_BYTES unless told (tests), a multiple of 512. */
  sliceBytes?: number;
}

/**
 * Converts `src` to the raw file `part` (`virtualSize` bytes) one slice at a time, and hashes each
 * slice (md5 and `hashAlgo`, on the two hashing threads) and writes it back to disk while the next
 * one converts, so that the output is durable and hashed almost as soon as qemu-img is done,
 * without a second pass over it. A slice is read only once the qemu-img run that wrote it has
 * exited: every byte hashed is final. Writing each slice back as it comes also keeps the page
 * cache from filling with dirty pages, which makes qemu-img's own writes many times slower.
 * On failure `part` is removed.
 */
export async function convertToRaw(src: string, driver: string, part: string, virtualSize: number, o: RawSliceOptions): Promise<HashResult | undefined> {
  const deadline = Date.now() + o.timeoutMs;
  const slice = o.sliceBytes ?? SLICE_BYTES;
  const fh = await open(part, 'w+');
  let hasher: SliceHasher | undefined;
  let failure: unknown;
  const fail = (e: unknown) => {
    failure ??= e;
  };
  let hashed: Promise<void> = Promise.resolve();
  let synced: Promise<void> = Promise.resolve();
  try {
    await fh.truncate(virtualSize);
    if (o.hashAlgo) hasher = virtualSize >= WORKER_MIN_BYTES ? createWorkerHasher(o.hashAlgo) : createHasher(o.hashAlgo);
    let buf: Buffer | undefined;
    const hashSlice = async (h: SliceHasher, offset: number, end: number) => {
      for (let at = offset; at < end;) {
        if (failure !== undefined) return;
        if (o.signal.aborted) throw giError('GI_CONVERT_CANCELLED', {});
        const want = Math.min(READ_BYTES, end - at);
        let bytesRead: number;
        if (h.readInto) {
          // Straight into the memory the hashing threads read: no copy through `buf`.
          const from = at;
          bytesRead = await h.readInto(async (into) => (await fh.read(into, 0, Math.min(into.length, want), from)).bytesRead);
        } else {
          buf ??= Buffer.allocUnsafeSlow(READ_BYTES);
          bytesRead = (await fh.read(buf, 0, want, at)).bytesRead;
          // The hasher has copied the chunk once this settles: the buffer can be read into again.
          const wait = h.update(buf.subarray(0, bytesRead));
          if (wait) await wait;
        }
        if (bytesRead === 0) throw new Error(`the output ends at byte ${at}, before ${end}`);
        at += bytesRead;
      }
    };
    for (let offset = 0; offset < virtualSize; offset += slice) {
      if (failure !== undefined) throw failure;
      const length = Math.min(slice, virtualSize - offset);
      const left = deadline - Date.now();
      if (left <= 0) throw giError('GI_CONVERT_TIMEOUT', { command: 'convert', seconds: Math.round(o.timeoutMs / 1000) });
      await runQemuImg(sliceArgs(src, driver, part, offset, length), { command: 'convert', signal: o.signal, timeoutMs: left }).catch((e: unknown) => {
        throw isGlanceImportError(e, 'GI_CONVERT_TIMEOUT') ? giError('GI_CONVERT_TIMEOUT', { command: 'convert', seconds: Math.round(o.timeoutMs / 1000) }) : e;
      });
      o.onProgress(offset + length);
      synced = synced.then(() => (failure === undefined ? fh.datasync() : undefined)).catch(fail);
      const h = hasher;
      if (h) hashed = hashed.then(() => hashSlice(h, offset, offset + length)).catch(fail);
    }
    synced = synced.then(() => fh.datasync()).catch(fail);
    await Promise.all([hashed, synced]);
    if (failure !== undefined) throw failure;
    if (o.signal.aborted) throw giError('GI_CONVERT_CANCELLED', {});
    return await hasher?.digest();
  } catch (e) {
    fail(e);
    // Nothing may still read or sync the file when it is closed and removed.
    await Promise.all([hashed, synced]);
    hasher?.dispose?.();
    await fh.close().catch(() => undefined);
    await rm(part, { force: true });
    throw e;
  } finally {
    await fh.close().catch(() => undefined);
  }
}
