import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { coalesce } from './coalesce.js';
import type { HashResult, Source, WriteOptions } from './types.js';
import type { StagingArea } from './staging.js';

/**
 * Hashes taken while staging, so the import does not read the staged file again to hash it. They
 * are kept in the staging area's `.staged-hashes/<id>` (outside the `<id>.*` names, which are the
 * stage and its plugins' outputs; removed with the stage) together with the staged file's identity (device, inode, size, mtime in ns). They are trusted only when that identity still
 * matches: a stage written any other way (resumed at an offset, appended to, rewritten) never
 * carries hashes it did not earn, and its import hashes during the store write instead.
 */
export const HASHES_DIR = '.staged-hashes';
const recordOf = (staging: StagingArea, imageId: string) => path.join(staging.dir, HASHES_DIR, imageId);

interface Record_ extends HashResult {
  dev: string;
  ino: string;
  mtimeNs: string;
}

const fingerprint = async (file: string) => {
  const s = await stat(file, { bigint: true });
  return { dev: String(s.dev), ino: String(s.ino), mtimeNs: String(s.mtimeNs), size: Number(s.size) };
};

/**
 * Stages `source` in one full pass with md5 and `hashAlgo` taken as it is written (on worker threads
 * for large data: `sizeHint`), and keeps the hashes for the import.
 */
export async function stageWithHashes(staging: StagingArea, imageId: string, source: Source, opts: WriteOptions): Promise<HashResult> {
  const file = staging.pathFor(imageId);
  // A record left by an earlier stage is overwritten here, and could not match this file's identity anyway.
  const hashes = await staging.write(imageId, coalesce(source), { ...opts, hash: true });
  const fp = await fingerprint(file);
  if (fp.size !== hashes.size) return hashes;
  const record: Record_ = { ...hashes, dev: fp.dev, ino: fp.ino, mtimeNs: fp.mtimeNs };
  const target = recordOf(staging, imageId);
  const tmp = `${target}.${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(tmp, JSON.stringify(record));
    await rename(tmp, target);
  } catch {
    // Without the record the import hashes the stage itself: slower, never wrong.
    await rm(tmp, { force: true }).catch(() => undefined);
  }
  return hashes;
}

/** The hashes taken while staging, when the staged file is still exactly what was hashed; else undefined. */
export async function stagedHashes(staging: StagingArea, imageId: string, hashAlgo: string): Promise<HashResult | undefined> {
  const file = staging.pathFor(imageId);
  try {
    const record = JSON.parse(await readFile(recordOf(staging, imageId), 'utf8')) as Partial<Record_>;
    const fp = await fingerprint(file);
    const same = record.dev === fp.dev && record.ino === fp.ino && record.mtimeNs === fp.mtimeNs && record.size === fp.size;
    const complete = typeof record.checksum === 'string' && record.checksum.length === 32 && typeof record.hashValue === 'string' && record.hashValue !== '';
    if (!same || !complete || record.hashAlgo !== hashAlgo) return undefined;
    return { size: record.size!, checksum: record.checksum!, hashAlgo: record.hashAlgo, hashValue: record.hashValue! };
  } catch {
    return undefined;
  }
}
