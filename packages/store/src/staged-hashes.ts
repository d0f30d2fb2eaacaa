import { stat } from 'node:fs/promises';
import type { HashResult, Source } from './types.js';
import type { UploadOptions } from './stage-upload.js';
import type { StagingArea } from './staging.js';

/**
 * Hashes taken while staging, so the import does not read the staged file again to hash it, kept
 * with the staged file's identity (device, inode, size, mtime in ns) and trusted only while that
 * identity still matches: a stage written any other way (resumed at an offset, appended to,
 * rewritten) never carries hashes it did not earn, and its import hashes during the store write.
 * Kept in this process, not on disk: imports run on the node that staged (they are relayed to the
 * stage host), and a restart only costs the import a hashing pass. Bounded, oldest dropped first.
 */
const MAX_RECORDS = 10_000;
const records = new WeakMap<StagingArea, Map<string, Record_>>();
const recordsOf = (staging: StagingArea) => {
  let m = records.get(staging);
  if (!m) records.set(staging, (m = new Map()));
  return m;
};

/** Drops the hashes taken while staging an image (its stage is removed). */
export function forgetStagedHashes(staging: StagingArea, imageId: string): void {
  records.get(staging)?.delete(imageId);
}

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
 * Stages `source`: atomically (`StagingArea.write`), or with `resumable` as an upload a client can
 * resume (`StagingArea.writeUpload`, `PUT /stage`). Staged from its first byte, in one full pass,
 * md5 and `hashAlgo` are taken as it is written (on worker threads for large data: `sizeHint`) and
 * kept for the import, unless `hash` is false (the import will replace the data). A resumed upload
 * (`resumeAt` > 0) keeps no hashes: its import hashes during the store write.
 */
export async function stageWithHashes(
  staging: StagingArea,
  imageId: string,
  source: Source,
  options: UploadOptions & { resumable?: boolean },
): Promise<HashResult> {
  const { resumable, ...opts } = options;
  const file = staging.pathFor(imageId);
  if ((opts.resumeAt ?? 0) > 0) {
    forgetStagedHashes(staging, imageId);
    return staging.writeUpload(imageId, source, { ...opts, hash: false });
  }
  // A record left by an earlier stage is overwritten here, and could not match this file's identity anyway.
  const write = (s: Source, o: UploadOptions) => (resumable ? staging.writeUpload(imageId, s, o) : staging.write(imageId, s, o));
  const hash = opts.hash ?? true;
  const hashes = await write(source, { ...opts, hash });
  if (!hash) {
    forgetStagedHashes(staging, imageId);
    return hashes;
  }
  const fp = await fingerprint(file);
  if (fp.size !== hashes.size) return hashes;
  const record: Record_ = { ...hashes, dev: fp.dev, ino: fp.ino, mtimeNs: fp.mtimeNs };
  const m = recordsOf(staging);
  m.delete(imageId);
  m.set(imageId, record);
  if (m.size > MAX_RECORDS) m.delete(m.keys().next().value!);
  return hashes;
}

/** The hashes taken while staging, when the staged file is still exactly what was hashed; else undefined. */
export async function stagedHashes(staging: StagingArea, imageId: string, hashAlgo: string): Promise<HashResult | undefined> {
  const file = staging.pathFor(imageId);
  try {
    const record = records.get(staging)?.get(imageId);
    if (!record) return undefined;
    const fp = await fingerprint(file);
    const same = record.dev === fp.dev && record.ino === fp.ino && record.mtimeNs === fp.mtimeNs && record.size === fp.size;
    if (!same || record.hashAlgo !== hashAlgo || record.checksum === '' || record.hashValue === '') return undefined;
    return { size: record.size, checksum: record.checksum, hashAlgo: record.hashAlgo, hashValue: record.hashValue };
  } catch {
    return undefined;
  }
}
