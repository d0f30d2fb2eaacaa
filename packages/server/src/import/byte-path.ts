import { createReadStream } from 'node:fs';
import { storeErrors, writeToStores, type FanOutOptions, type FanOutResult, type HashResult, type StoreDriver, type StoreOutcome } from '@glance-import/store';

const read = (file: string) => createReadStream(file, { highWaterMark: 1024 * 1024 });

/**
 * Puts the working file into every target store. Without `known` hashes the file is read once,
 * hashed in that pass and written to all stores. With them (taken while staging, for this very
 * file), nothing is hashed again: one store that can take the file as it is (a file store on the
 * staging file system links it) gets it without a byte copied, and only the others are written.
 */
export async function storeWorkingFile(
  file: string,
  drivers: readonly StoreDriver[],
  imageId: string,
  known: HashResult | undefined,
  opts: FanOutOptions,
): Promise<FanOutResult> {
  if (!known) return writeToStores(read(file), drivers, imageId, opts);
  if (opts.maxBytes !== undefined && known.size > opts.maxBytes) throw storeErrors.error('GI_STORE_TOO_LARGE', { limit: opts.maxBytes });
  let moved: { index: number; location: string } | undefined;
  for (const [index, driver] of drivers.entries()) {
    if (!driver.adopt || opts.signal?.aborted) continue;
    // A store that cannot take the file here (or fails to) is simply written below, and reports its own error there.
    const adopted = await driver.adopt(imageId, file, opts.signal ? { signal: opts.signal } : {}).catch(() => undefined);
    if (adopted) {
      moved = { index, location: adopted.location };
      break;
    }
  }
  if (moved) {
    opts.onProgress?.(known.size);
    opts.onStoreDone?.(drivers[moved.index]!.id, true, moved.location);
  }
  const rest = drivers.filter((_, i) => i !== moved?.index);
  let written: StoreOutcome[] = [];
  if (rest.length > 0 || !moved) {
    try {
      written = (await writeToStores(read(file), rest, imageId, { ...opts, hash: false, expectedBytes: known.size })).results;
    } catch (e) {
      if (moved) await drivers[moved.index]!.delete(moved.location).catch(() => undefined);
      throw e;
    }
  }
  const results = drivers.map((d, i): StoreOutcome => (i === moved?.index ? { store: d.id, ok: true, location: moved.location } : written.shift()!));
  return { hashes: known, complete: true, results };
}
