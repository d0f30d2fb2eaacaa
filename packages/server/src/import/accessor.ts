import type { ImageAccessor, ImageSnapshot, Logger, SettableAttribute } from '@glance-import/core';
import { giError } from '../errors.js';
import type { Database, ImageRecord } from '@glance-import/db';
import { RESERVED_NAMESPACE } from '../images/attributes.js';
import { assertLockHeld } from './lock.js';

export function snapshotOf(i: ImageRecord): ImageSnapshot {
  return {
    id: i.id, status: i.status, name: i.name, disk_format: i.disk_format, container_format: i.container_format, size: i.size,
    virtual_size: i.virtual_size, owner: i.owner, extraProperties: { ...i.properties },
  };
}

/** The image as import tasks use it: the plugins' accessor, and the record itself. */
export interface ImportImage extends ImageAccessor {
  load(): Promise<ImageRecord>;
}

const SETTABLE = new Set<SettableAttribute>(['status', 'disk_format', 'container_format', 'size', 'virtual_size']);

/**
 * The image as an import's tasks and plugins see it (Glance's action wrapper): every call reloads
 * the image and checks this import still holds its lock, so a preempted import cannot write.
 */
export class LockedImage implements ImportImage {
  constructor(private readonly db: Database, readonly imageId: string, readonly taskId: string, private readonly log: Logger) {}

  async load(): Promise<ImageRecord> {
    const image = await this.db.images.get(this.imageId);
    if (!image) throw giError('GI_IMPORT_IMAGE_DELETED', { imageId: this.imageId });
    assertLockHeld(image, this.taskId);
    return image;
  }

  async get(): Promise<ImageSnapshot> {
    return snapshotOf(await this.load());
  }

  async setAttributes(attributes: Partial<Record<SettableAttribute, string | number | null>>): Promise<void> {
    for (const k of Object.keys(attributes)) if (!SETTABLE.has(k as SettableAttribute)) throw new TypeError(`attribute '${k}' cannot be set by an import task`);
    await this.load();
    await this.db.images.update(this.imageId, { columns: attributes as Record<string, never> });
  }

  async setExtraProperties(properties: Record<string, string>): Promise<void> {
    const allowed: Record<string, string> = {};
    for (const [k, v] of Object.entries(properties)) {
      if (k.startsWith(RESERVED_NAMESPACE)) this.log.warn({ image_id: this.imageId, property: k }, `Refusing to set reserved property '${k}'`);
      else allowed[k] = v;
    }
    await this.load();
    await this.db.images.update(this.imageId, { setProperties: allowed });
  }

  async removeExtraProperties(names: readonly string[]): Promise<void> {
    await this.load();
    await this.db.images.update(this.imageId, { removeProperties: names.filter((n) => !n.startsWith(RESERVED_NAMESPACE)) });
  }
}
