import {
  checkAttributes,
  checkExtraProperties,
  checkRemovedProperties,
  PropertyChanges,
  type ImageAccessor,
  type ImageSnapshot,
  type Logger,
  type SettableAttribute,
} from '@glance-import/core';
import { giError } from '../errors.js';
import type { Database, ImageRecord } from '@glance-import/db';
import { assertLockHeld } from './lock.js';

export function snapshotOf(i: ImageRecord): ImageSnapshot {
  return {
    id: i.id,
    status: i.status,
    name: i.name,
    disk_format: i.disk_format,
    container_format: i.container_format,
    size: i.size,
    virtual_size: i.virtual_size,
    owner: i.owner,
    extraProperties: { ...i.properties },
  };
}

/** The image as import tasks use it: the plugins' accessor, the record itself, and undoing its property changes. */
export interface ImportImage extends ImageAccessor {
  load(): Promise<ImageRecord>;
  /**
   * After a failed import: put back each extra property written through this accessor to what it
   * was before the import, where it still holds the value written (a plugin's own revert, or a
   * user, may have changed it since). Attributes are put back by the import's restore.
   */
  undoPropertyChanges(): Promise<void>;
}

/**
 * The image as an import's tasks and plugins see it (Glance's action wrapper): every call reloads
 * the image and checks this import still holds its lock, so a preempted import cannot write; what
 * is written passes core's one check of image changes, as in `@glance-import/testing`.
 */
export class LockedImage implements ImportImage {
  private readonly changes = new PropertyChanges();

  constructor(
    private readonly db: Database,
    readonly imageId: string,
    readonly taskId: string,
    private readonly log: Logger,
    /** false when only reverts will write (a roll-back after a crash): their changes are not to be undone. */
    private readonly track = true,
  ) {}

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
    const columns = checkAttributes(attributes);
    await this.load();
    await this.db.images.update(this.imageId, { columns: columns as Record<string, never> });
  }

  async setExtraProperties(properties: Record<string, string>): Promise<void> {
    const allowed = checkExtraProperties(properties, (k) => this.log.warn({ property: k }, `Refusing to set reserved property '${k}'`));
    const image = await this.load();
    if (this.track) this.changes.record(image.properties, allowed);
    await this.db.images.update(this.imageId, { setProperties: allowed });
  }

  async removeExtraProperties(names: readonly string[]): Promise<void> {
    const removed = checkRemovedProperties(names, (k) => this.log.warn({ property: k }, `Refusing to remove reserved property '${k}'`));
    const image = await this.load();
    if (this.track) this.changes.record(image.properties, Object.fromEntries(removed.map((k) => [k, undefined])));
    await this.db.images.update(this.imageId, { removeProperties: removed });
  }

  async undoPropertyChanges(): Promise<void> {
    if (this.changes.size === 0) return;
    const { set, remove } = this.changes.undo((await this.load()).properties);
    if (!remove.length && !Object.keys(set).length) return;
    this.log.info({ restored: Object.keys(set), removed: remove }, 'Put back the image properties the failed import changed');
    await this.db.images.update(this.imageId, { setProperties: set, removeProperties: remove });
  }
}
