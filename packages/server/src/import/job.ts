import type { ImportRequest } from '@glance-import/core';
import type { ImageBase } from '@glance-import/db';
import type { CallerIdentity } from '../http/identity.js';
import type { ImportMethod } from '../methods/method.js';

/** What the image looked like before the import; a failed import puts these columns back. */
export type ImageBefore = Pick<
  ImageBase,
  'status' | 'size' | 'virtual_size' | 'checksum' | 'os_hash_algo' | 'os_hash_value' | 'disk_format' | 'container_format'
>;

/** The task record's `input` (Glance's keys, plus what recovery needs). */
export interface ImportTaskInput {
  image_id: string;
  import_req: ImportRequest;
  backend: string[];
  previous: ImageBefore;
  /** Who asked (the roles included, for plugins): a node resuming the import after a crash runs it for them. */
  caller?: Pick<CallerIdentity, 'userId' | 'projectId' | 'roles' | 'isAdmin'>;
}

/** One accepted import, from the call that started it to the end of its flow. */
export interface ImportJob {
  taskId: string;
  imageId: string;
  method: ImportMethod;
  request: ImportRequest;
  stores: string[];
  before: ImageBefore;
  caller: CallerIdentity;
  requestId: string;
  /** Run again by the node that owned it, after a crash: completed atoms are not executed again. */
  resume?: boolean;
}

export const beforeOf = (i: ImageBase): ImageBefore => ({
  status: i.status,
  size: i.size,
  virtual_size: i.virtual_size,
  checksum: i.checksum,
  os_hash_algo: i.os_hash_algo,
  os_hash_value: i.os_hash_value,
  disk_format: i.disk_format,
  container_format: i.container_format,
});

/** When a finished task is removed: `[task] task_time_to_live` hours from now. */
export function expiry(ttlHours: number): string {
  return new Date(Date.now() + ttlHours * 3600_000).toISOString();
}
