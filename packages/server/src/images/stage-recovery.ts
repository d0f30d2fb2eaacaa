import type { Database } from '@glance-import/db';
import type { StagingArea } from '@glance-import/store';
import type { Logger } from 'pino';

/** The property an import holds as its lock (lock.ts); an image holding it belongs to import recovery. */
const IMPORT_LOCK = 'os_glance_import_task';

/**
 * The node running an image's stage (its node id), set with `uploading` when `PUT /stage` starts and
 * never shown: with several nodes on one database, a node starting up requeues only its own stages,
 * never one another node is receiving now.
 */
export const STAGE_NODE = 'os_glance_stage_node';

/**
 * Start-up: an image is `uploading` only while it has complete staged data or a live stage. A node
 * killed during `PUT /stage` leaves it `uploading` with neither; it goes back to `queued` so a plain
 * Glance client simply stages again. Its broken-off upload (`<id>.upload`, at its durable offset) is
 * kept for a client that resumes; every other staging file of the image goes. Run after import
 * recovery, which settles the images that hold an import lock.
 */
export async function requeueBrokenStages(rt: {
  db: Database;
  staging: StagingArea;
  log: Logger;
  node: string;
  selfUrl?: string | undefined;
}): Promise<string[]> {
  const { db, staging, log, node, selfUrl } = rt;
  const uploading = await db.images.list({
    viewer: { projectId: null, isAdmin: true },
    columns: [{ column: 'status', op: 'eq', value: 'uploading' }],
    sort: [{ key: 'created_at', dir: 'asc' }],
    limit: 1_000_000,
  });
  const requeued: string[] = [];
  for (const image of uploading) {
    // An image staged before stages recorded their node counts as this node's.
    const owner = image.properties[STAGE_NODE];
    const stageHost = image.properties.os_glance_stage_host;
    if (
      (owner !== undefined && owner !== node) ||
      (stageHost !== undefined && stageHost !== selfUrl) ||
      image.properties[IMPORT_LOCK] !== undefined ||
      (await staging.has(image.id))
    )
      continue;
    await staging.remove(image.id, { keepUpload: true });
    const done = await db.images
      .update(image.id, { columns: { status: 'queued', size: null }, removeProperties: ['os_glance_stage_host', STAGE_NODE] }, { fromStatus: ['uploading'] })
      .then(
        () => true,
        (err: unknown) => {
          log.warn({ err, image_id: image.id }, 'could not return an image with a broken-off stage to queued');
          return false;
        },
      );
    if (done) requeued.push(image.id);
  }
  if (requeued.length) log.warn({ images: requeued }, 'images whose stage was broken off by the last shutdown are back to queued; stage them again or resume');
  return requeued;
}
