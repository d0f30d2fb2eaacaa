import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { AtomState } from '@glance-import/core';
import type { Database, ImageRecord } from '@glance-import/db';
import type { StoreDriver } from '@glance-import/store';
import { beforeOf, type ImportTaskInput } from './job.js';
import { acquireLock } from './lock.js';

// Tests only: the state a process killed in the middle of an import leaves behind, built row by row.

export interface Interrupted {
  taskId: string;
  image: ImageRecord;
}

/**
 * An import of a staged (`uploading`) image that a process on `node` was running when it was
 * killed: task `processing`, image `importing` with the lock held, and the flow's atoms as given
 * (name → state, with results where the atom had succeeded).
 */
export async function interruptedImport(
  db: Database,
  imageId: string,
  o: {
    node: string | null;
    atoms?: Array<[string, AtomState, unknown?]>;
    method?: string;
    stores?: string[];
    status?: 'pending' | 'processing';
    /** false: a task recorded before tasks kept who asked. */
    caller?: false;
  },
): Promise<Interrupted> {
  const before = (await db.images.get(imageId))!;
  const input: ImportTaskInput = {
    image_id: imageId,
    import_req: { method: { name: o.method ?? 'glance-direct' } },
    backend: o.stores ?? [],
    previous: beforeOf(before),
    ...(o.caller === false ? {} : { caller: { userId: 'alice', projectId: before.owner ?? 'p1', roles: ['member', 'reader'], isAdmin: false } }),
  };
  const task = await db.tasks.create({
    id: randomUUID(),
    type: 'api_image_import',
    owner: before.owner ?? 'p1',
    image_id: imageId,
    request_id: 'req-crash',
    user_id: 'alice',
    input,
    ...(o.node === null ? {} : { node: o.node }),
  });
  if ((o.status ?? 'processing') === 'processing') await db.tasks.update(task.id, { status: 'processing' });
  await acquireLock(db, imageId, task.id);
  await db.images.update(imageId, {
    columns: input.import_req.method.name === 'copy-image' ? {} : { status: 'importing' },
    setProperties: { os_glance_importing_to_stores: input.backend.join(',') },
  });
  const at = new Date().toISOString();
  if (o.atoms?.length) await db.flows.saveFlow({ flowId: task.id, name: 'api_image_import', state: 'RUNNING', updatedAt: at });
  for (const [atom, state, result] of o.atoms ?? []) {
    await db.flows.saveAtom({ flowId: task.id, atom, state, attempt: 1, updatedAt: at, ...(result === undefined ? {} : { result }) });
  }
  return { taskId: task.id, image: (await db.images.get(imageId))! };
}

/**
 * The commit point of an interrupted import, reached and no further: the data in the store with its
 * location recorded, the image `active` with its hashes; staged data, task and lock as they were.
 */
export async function committedWrite(db: Database, store: StoreDriver, imageId: string, data: Buffer): Promise<string> {
  const put = await store.add(imageId, Readable.from([data]));
  await db.images.addLocation(imageId, { store: store.id, url: put.location, metadata: { store: store.id }, status: 'active' });
  await db.images.update(imageId, {
    columns: { status: 'active', size: put.size, checksum: put.checksum, os_hash_algo: put.hashAlgo, os_hash_value: put.hashValue, virtual_size: put.size },
  });
  return put.location;
}
