import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { HashResult } from './types.js';

/**
 * Hashes a writer took of a durable file it made (a stage, a plugin that hashed its output while
 * making it), so the store write does not read the file again to hash it. Kept with the file's identity
 * (device, inode, size, mtime in ns) and trusted only while that identity still matches. Shared through a global symbol: a plugin may bring its own
 * copy of this package. In memory only: after a restart the store write hashes as it reads.
 */
const MAX_RECORDS = 10_000;
const KEY = Symbol.for('@glance-import/store.file-hashes');
interface Record_ extends HashResult {
  dev: string;
  ino: string;
  mtimeNs: string;
}
const shared = globalThis as { [KEY]?: Map<string, Record_> };
const records = (shared[KEY] ??= new Map());

async function identity(file: string) {
  const s = await stat(file, { bigint: true });
  return { dev: String(s.dev), ino: String(s.ino), mtimeNs: String(s.mtimeNs), size: Number(s.size) };
}

/** Records `hashes` for `file`, which must be durable (fsynced) and hold exactly the hashed bytes. */
export async function rememberFileHashes(file: string, hashes: HashResult): Promise<void> {
  const key = path.resolve(file);
  const id = await identity(key);
  records.delete(key);
  if (id.size !== hashes.size || !hashes.checksum || !hashes.hashValue) return;
  records.set(key, { ...hashes, dev: id.dev, ino: id.ino, mtimeNs: id.mtimeNs });
  if (records.size > MAX_RECORDS) records.delete(records.keys().next().value!);
}

/** The hashes recorded for `file` in `hashAlgo`, while it is still exactly what was hashed; else undefined. */
export async function knownFileHashes(file: string, hashAlgo: string): Promise<HashResult | undefined> {
  const key = path.resolve(file);
  const r = records.get(key);
  if (!r || r.hashAlgo !== hashAlgo) return undefined;
  const id = await identity(key).catch(() => undefined);
  if (!id || id.dev !== r.dev || id.ino !== r.ino || id.mtimeNs !== r.mtimeNs || id.size !== r.size) {
    records.delete(key);
    return undefined;
  }
  return { size: r.size, checksum: r.checksum, hashAlgo: r.hashAlgo, hashValue: r.hashValue };
}

export function forgetFileHashes(file: string): void {
  records.delete(path.resolve(file));
}
