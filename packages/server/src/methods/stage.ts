import { stageWithHashes, type HashResult } from '@glance-import/store';
import type { TaskDeps } from '../import/deps.js';

/**
 * Fill staging for an import method: atomic, bounded by `image_size_cap` and by what the owner's
 * `image_stage_total` quota still allows (passing it fails with the quota named), with progress.
 */
export async function stageFrom(
  d: TaskDeps,
  source: AsyncIterable<Buffer> | NodeJS.ReadableStream,
  o: { phase: string; expectedBytes?: number; signal: AbortSignal; onWritten?: (bytes: number) => void },
): Promise<HashResult> {
  const { job } = d;
  const owner = (await d.image.load()).owner ?? job.caller.projectId;
  const total = o.expectedBytes;
  return d.quotas.capped(owner, 'image_stage_total', d.settings.imageSizeCap, (maxBytes) =>
    // Hashed as it is staged, so the import need not read the staged file again.
    stageWithHashes(d.staging, job.imageId, source, {
      maxBytes,
      signal: o.signal,
      hashAlgo: d.settings.hashAlgo,
      ...(o.onWritten ? { onWritten: o.onWritten } : {}),
      ...(total !== undefined ? { expectedBytes: total } : {}),
      onProgress: (bytesDone) => d.progress.report({ phase: o.phase, bytesDone, ...(total !== undefined ? { bytesTotal: total } : {}) }),
    }),
  );
}
