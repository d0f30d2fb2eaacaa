import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import {
  fileToStores,
  hashStream,
  storeErrors,
  writeToStores,
  type FanOutOptions,
  type FanOutResult,
  type HashResult,
  type StoreDriver,
  type StoreOutcome,
} from '@glance-import/store';

async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface WorkingFile {
  path: string;
  size: number;
  /** Hashes of exactly this durable file: taken while staging, or by the plugin that wrote it. */
  known?: HashResult;
  /** The import's own file (a plugin's output in staging, removed with the stage): a store may take it as it is. */
  own?: boolean;
}

/**
 * Puts the working file into every target store. Where one store can take the file as it is (a
 * file store on the staging file system links it), it does, and only the others are written: each
 * that can copies the file in the kernel, all at once, and the rest share one read of it; the
 * hashes are those taken while staging, or, for a plugin's output, taken in one read while the
 * file is made durable, as the others are written. Otherwise the file is read once, hashed in that
 * pass and written to all.
 */
export async function storeWorkingFile(file: WorkingFile, drivers: readonly StoreDriver[], imageId: string, opts: FanOutOptions): Promise<FanOutResult> {
  const opened: ReadStream[] = [];
  const read = (p: string) => {
    const stream = createReadStream(p, { highWaterMark: 1024 * 1024 });
    opened.push(stream);
    return stream;
  };
  try {
    return await store(file, drivers, imageId, opts, read);
  } finally {
    // Stores that all refused before their first byte never read it: the file must not stay open.
    for (const stream of opened) stream.destroy();
  }
}

async function store(
  file: WorkingFile,
  drivers: readonly StoreDriver[],
  imageId: string,
  opts: FanOutOptions,
  read: (p: string) => ReadStream,
): Promise<FanOutResult> {
  if (!file.known && !file.own) return writeToStores(read(file.path), drivers, imageId, opts);
  if (opts.maxBytes !== undefined && file.size > opts.maxBytes) throw storeErrors.error('GI_STORE_TOO_LARGE', { limit: opts.maxBytes });
  let moved: { index: number; location: string } | undefined;
  for (const [index, driver] of drivers.entries()) {
    if (!driver.adopt || opts.signal?.aborted) continue;
    // A store that cannot take the file here (or fails to) is simply written below, and reports its own error there.
    const adopted = await driver.adopt(imageId, file.path, opts.signal ? { signal: opts.signal } : {}).catch(() => undefined);
    if (adopted) {
      moved = { index, location: adopted.location };
      break;
    }
  }
  // Nothing to gain over the one-pass write when no store took the file and it has no hashes yet.
  if (!file.known && !moved) return writeToStores(read(file.path), drivers, imageId, opts);
  const rest = drivers.filter((_, i) => i !== moved?.index);
  const { onProgress, signal, hashAlgo } = opts;
  // The file a store took is made durable and hashed (when it has no hashes yet) while the other stores are written.
  const hashing = file.known
    ? Promise.resolve(file.known)
    : Promise.all([
        fsyncFile(file.path),
        hashStream(read(file.path), {
          expectedBytes: file.size,
          ...(signal ? { signal } : {}),
          ...(hashAlgo ? { hashAlgo } : {}),
          ...(onProgress && rest.length === 0 ? { onProgress } : {}),
        }),
      ]).then(([, h]) => h);
  const movedDone = hashing.then(() => {
    if (!moved) return;
    if (rest.length === 0) opts.onProgress?.(file.size);
    opts.onStoreDone?.(drivers[moved.index]!.id, true, moved.location);
  });
  const writing = rest.length > 0 ? fileToStores(file.path, rest, imageId, () => read(file.path), { ...opts, hash: false, expectedBytes: file.size }) : [];
  const [hashed, wrote] = await Promise.allSettled([hashing, writing, movedDone]);
  if (hashed.status === 'rejected' || wrote.status === 'rejected') {
    if (moved) await drivers[moved.index]!.delete(moved.location).catch(() => undefined);
    if (wrote.status === 'fulfilled') await Promise.all(wrote.value.map((r, i) => (r.ok ? rest[i]!.delete(r.location).catch(() => undefined) : undefined)));
    throw hashed.status === 'rejected' ? hashed.reason : (wrote as PromiseRejectedResult).reason;
  }
  const hashes = hashed.value;
  const written = [...wrote.value];
  const results = drivers.map((d, i): StoreOutcome => (i === moved?.index ? { store: d.id, ok: true, location: moved.location } : written.shift()!));
  return { hashes, complete: true, results };
}
