import { open, type FileHandle } from 'node:fs/promises';
import { giError } from './errors.js';
import { readError } from './fs-errors.js';
import { CHUNK_SIZE, type ByteRange } from './types.js';

/** Checks a range against the data's size; `end` past the data is cut to its last byte, as HTTP does. */
export function clampRange(range: ByteRange, size: number): { start: number; end: number } {
  const { start, end } = range;
  const valid = Number.isSafeInteger(start) && start >= 0 && start < size && (end === undefined || (Number.isSafeInteger(end) && end >= start));
  if (!valid) throw giError('GI_STORE_RANGE_NOT_SATISFIABLE', { start, end, size });
  return { start, end: Math.min(end ?? size - 1, size - 1) };
}

/** Opens a file once (so the size and the bytes come from the same file) and streams it, or a range of it. */
export async function readFile(file: string, range: ByteRange | undefined, store: string, location: string) {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    const bounds = range ? clampRange(range, size) : {};
    return { stream: handle.createReadStream({ ...bounds, highWaterMark: CHUNK_SIZE }) as NodeJS.ReadableStream, size };
  } catch (e) {
    await handle?.close().catch(() => undefined);
    throw readError(e, store, file, location);
  }
}
