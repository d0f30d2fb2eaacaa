import type { ImportRequest } from '@glance-import/core';
import type { ImageBase, TaskRecord } from '@glance-import/db';
import type { CallerIdentity } from '../http/identity.js';

/** What the image looked like before the import; a failed import puts these columns back. */
export type ImageBefore = Pick<ImageBase, 'status' | 'size' | 'virtual_size' | 'checksum' | 'os_hash_algo' | 'os_hash_value' | 'disk_format' | 'container_format'>;

/** The task record's `input` (Glance's keys, plus what recovery needs). */
export interface ImportTaskInput {
  image_id: string;
  import_req: ImportRequest;
  backend: string[];
  previous: ImageBefore;
}

export interface ImportJob {
  task: TaskRecord;
  imageId: string;
  request: ImportRequest;
  stores: string[];
  before: ImageBefore;
  caller: CallerIdentity;
  requestId: string;
}

export const beforeOf = (i: ImageBase): ImageBefore => ({
  status: i.status, size: i.size, virtual_size: i.virtual_size, checksum: i.checksum, os_hash_algo: i.os_hash_algo,
  os_hash_value: i.os_hash_value, disk_format: i.disk_format, container_format: i.container_format,
});
