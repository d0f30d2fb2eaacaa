import type { ImageAccessor, ImageSnapshot, Logger, SettableAttribute } from '@glance-import/core';
import { checkAttributes, checkExtraProperties, checkRemovedProperties, PropertyChanges, silentLogger } from '@glance-import/core';

/**
 * An in-memory image record behind the ImageAccessor contract, as the image service provides it:
 * what a task writes passes core's one check of image changes (the server's own), and a failed
 * import's property changes are put back as the server puts them back.
 */
export class MemoryImage implements ImageAccessor {
  private current: ImageSnapshot;
  readonly initial: ImageSnapshot;
  private readonly changes = new PropertyChanges();

  constructor(
    image: Partial<ImageSnapshot> & { id: string },
    private readonly logger: Logger = silentLogger,
  ) {
    this.current = {
      status: 'importing',
      name: 'fixture',
      disk_format: 'raw',
      container_format: 'bare',
      size: null,
      virtual_size: null,
      owner: 'project',
      ...image,
      extraProperties: { ...(image.extraProperties ?? {}) },
    };
    this.initial = structuredClone(this.current);
  }

  async get(): Promise<ImageSnapshot> {
    return structuredClone(this.current);
  }

  snapshot(): ImageSnapshot {
    return structuredClone(this.current);
  }

  async setAttributes(attributes: Partial<Record<SettableAttribute, string | number | null>>): Promise<void> {
    this.current = { ...this.current, ...checkAttributes(attributes) } as ImageSnapshot;
  }

  async setExtraProperties(properties: Record<string, string>): Promise<void> {
    const allowed = checkExtraProperties(properties, (k) => this.logger.warn({ property: k }, `Refusing to set reserved property '${k}'`));
    this.changes.record(this.current.extraProperties, allowed);
    this.current = { ...this.current, extraProperties: { ...this.current.extraProperties, ...allowed } };
  }

  async removeExtraProperties(names: readonly string[]): Promise<void> {
    const removed = checkRemovedProperties(names, (k) => this.logger.warn({ property: k }, `Refusing to remove reserved property '${k}'`));
    this.changes.record(this.current.extraProperties, Object.fromEntries(removed.map((k) => [k, undefined])));
    const next = { ...this.current.extraProperties };
    for (const n of removed) delete next[n];
    this.current = { ...this.current, extraProperties: next };
  }

  /** After a failed import, as the server does: put back the properties still holding what the import wrote. */
  undoPropertyChanges(): void {
    const { set, remove } = this.changes.undo(this.current.extraProperties);
    const next: Record<string, string> = { ...this.current.extraProperties, ...set };
    for (const k of remove) delete next[k];
    this.current = { ...this.current, extraProperties: next };
  }
}

/** What changed between two snapshots: attribute or `properties.<key>` -> { from, to }. */
export function diffImage(a: ImageSnapshot, b: ImageSnapshot): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of ['status', 'name', 'disk_format', 'container_format', 'size', 'virtual_size', 'owner'] as const) {
    if (a[k] !== b[k]) out[k] = { from: a[k], to: b[k] };
  }
  for (const k of new Set([...Object.keys(a.extraProperties), ...Object.keys(b.extraProperties)])) {
    if (a.extraProperties[k] !== b.extraProperties[k]) out[`properties.${k}`] = { from: a.extraProperties[k], to: b.extraProperties[k] };
  }
  return out;
}
