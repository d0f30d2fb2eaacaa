import type { HashResult } from '@glance-import/store';
import type { TaskDeps } from '../import/deps.js';

/**
 * Fill staging for an import method: atomic, bounded by `image_size_cap` and by what the owner's
 * `image_stage_total` quota still allows (passing it fails with the quota named), with progress.
 */
export async function stageFrom(
  d: TaskDeps,
  source: AsyncIterable<Buffer> | NodeJS.ReadableStream,
  o: { phase: string; expectedBytes?: number; signal: AbortSignal },
): Promise<HashResult> {
  const { job } = d;
  const owner = (await d.image.load()).owner ?? job.caller.projectId;
  const total = o.expectedBytes;
  return d.quotas.capped(owner, 'image_stage_total', d.settings.imageSizeCap, (maxBytes) =>
    d.staging.write(job.imageId, source, {
      maxBytes,
      signal: o.signal,
      hash: false,
      ...(total !== undefined ? { expectedBytes: total } : {}),
      onProgress: (bytesDone) => d.progress.report({ phase: o.phase, bytesDone, ...(total !== undefined ? { bytesTotal: total } : {}) }),
    }),
  );
}
