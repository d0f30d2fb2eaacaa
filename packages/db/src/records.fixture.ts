import { randomUUID } from 'node:crypto';
import type { NewImage, NewTask } from './types.js';

// Tests only: records to create, each with a new id.

export const newImage = (o: Partial<NewImage> = {}): NewImage => ({
  id: randomUUID(),
  name: 'img',
  visibility: 'private',
  owner: 'p',
  disk_format: 'raw',
  container_format: 'bare',
  min_disk: 0,
  min_ram: 0,
  protected: false,
  os_hidden: false,
  properties: {},
  tags: [],
  ...o,
});

/** An import task of project p, run by `node` (none: recorded before nodes were). */
export const importTask = (node?: string): NewTask => ({
  id: randomUUID(),
  type: 'api_image_import',
  owner: 'p',
  image_id: null,
  request_id: null,
  user_id: null,
  input: {},
  ...(node ? { node } : {}),
});
