import { forgetFileHashes, knownFileHashes, rememberFileHashes } from './file-hashes.js';
import type { HashResult, Source } from './types.js';
import type { UploadOptions } from './stage-upload.js';
import type { StagingArea } from './staging.js';

/**
 * Hashes taken while staging, so the import does not read the staged file again to hash it: kept
 * as the staged file's known hashes (`rememberFileHashes`), trusted only while its identity
 * (device, inode, size, mtime in ns) still matches. A stage written any other way (resumed at an
 * offset, appended to, rewritten) never carries hashes it did not earn, and its import hashes
 * during the store write. Kept in this process, not on disk: imports run on the node that staged
 * (they are relayed to the stage host), and a restart only costs the import a hashing pass.
 */

/** Drops the hashes taken while staging an image (its stage is removed). */
export function forgetStagedHashes(staging: StagingArea, imageId: string): void {
  forgetFileHashes(staging.pathFor(imageId));
}

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
  const hashes = await write(source, { ...opts, hash: opts.hash ?? true });
  // Unhashed (no digests), nothing is remembered and an earlier record goes.
  await rememberFileHashes(file, hashes);
  return hashes;
}

/** The hashes taken while staging, when the staged file is still exactly what was hashed; else undefined. */
export function stagedHashes(staging: StagingArea, imageId: string, hashAlgo: string): Promise<HashResult | undefined> {
  return knownFileHashes(staging.pathFor(imageId), hashAlgo);
}
