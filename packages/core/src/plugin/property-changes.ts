/**
 * The extra properties an import wrote through `ctx.image`, to put back when it fails: per
 * property, its value before the import's first change and the value the import left. Undoing
 * touches only what still holds the value the import left (a plugin's own revert, or a user, may
 * have changed it since). The image service and `@glance-import/testing` undo alike with it.
 */
export class PropertyChanges {
  private readonly changed = new Map<string, { before: string | undefined; after: string | undefined }>();

  get size(): number {
    return this.changed.size;
  }

  /** `current`: the properties before this write; `written`: the new value of each key (undefined: removed). */
  record(current: Readonly<Record<string, string>>, written: Readonly<Record<string, string | undefined>>): void {
    for (const [k, after] of Object.entries(written)) {
      this.changed.set(k, { before: this.changed.has(k) ? this.changed.get(k)!.before : current[k], after });
    }
  }

  /** What to write to put the properties back, given them as they are now; forgets the changes. */
  undo(current: Readonly<Record<string, string>>): { set: Record<string, string>; remove: string[] } {
    const set: Record<string, string> = {};
    const remove: string[] = [];
    for (const [k, { before, after }] of this.changed) {
      if (current[k] !== after || before === after) continue;
      if (before === undefined) remove.push(k);
      else set[k] = before;
    }
    this.changed.clear();
    return { set, remove };
  }
}
