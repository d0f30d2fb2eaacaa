import { randomUUID } from 'node:crypto';
import { giError } from './errors.js';
import { isUniqueViolation, type SqlDriver, type SqlExecutor, type SqlValue } from './sql/driver.js';
import { listImageRows } from './image-list.js';
import { bool, now, num, placeholders, toSql } from './rows.js';
import { IMAGE_COLUMNS } from './types.js';
import type { ImageBase, ImageChanges, ImageLocation, ImageMember, ImageQuery, ImageRecord, ImageStatus, NewImage, UpdateConditions } from './types.js';

const COLUMNS = IMAGE_COLUMNS;

type Row = Record<string, unknown>;

const toMember = (r: Record<string, string>): ImageMember => ({
  image_id: r.image_id!,
  member: r.member!,
  status: r.status as ImageMember['status'],
  created_at: r.created_at!,
  updated_at: r.updated_at!,
});

/** A record from its row, with empty collections for hydrate to fill (one object per row, not two). */
function toRecord(r: Row): ImageRecord {
  return {
    id: String(r.id),
    name: (r.name as string | null) ?? null,
    status: r.status as ImageStatus,
    visibility: r.visibility as ImageBase['visibility'],
    owner: (r.owner as string | null) ?? null,
    disk_format: (r.disk_format as string | null) ?? null,
    container_format: (r.container_format as string | null) ?? null,
    size: num(r.size),
    virtual_size: num(r.virtual_size),
    checksum: (r.checksum as string | null) ?? null,
    os_hash_algo: (r.os_hash_algo as string | null) ?? null,
    os_hash_value: (r.os_hash_value as string | null) ?? null,
    min_disk: Number(r.min_disk),
    min_ram: Number(r.min_ram),
    protected: bool(r.protected),
    os_hidden: bool(r.os_hidden),
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
    properties: {},
    tags: [],
    locations: [],
  };
}

/** Images with their properties, tags and locations; every write is one conditional statement or one transaction. */
export class ImageRepository {
  constructor(private readonly db: SqlDriver) {}

  async create(image: NewImage): Promise<ImageRecord> {
    const ts = now();
    const base: ImageBase = {
      ...image,
      status: 'queued',
      size: null,
      virtual_size: null,
      checksum: null,
      os_hash_algo: null,
      os_hash_value: null,
      created_at: ts,
      updated_at: ts,
    };
    try {
      await this.db.transaction(async (tx) => {
        await tx.execute(
          `INSERT INTO images (${COLUMNS.join(', ')}) VALUES (${placeholders(COLUMNS.length)})`,
          COLUMNS.map((c) => toSql(base[c])),
        );
        for (const [k, v] of Object.entries(image.properties))
          await tx.execute('INSERT INTO image_properties (image_id, name, value) VALUES (?, ?, ?)', [image.id, k, v]);
        for (const t of new Set(image.tags)) await tx.execute('INSERT INTO image_tags (image_id, value) VALUES (?, ?)', [image.id, t]);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw giError('GI_DB_DUPLICATE', { kind: 'image', id: image.id });
      throw e;
    }
    return (await this.get(image.id))!;
  }

  async get(id: string): Promise<ImageRecord | undefined> {
    return (await this.load(this.db, [id]))[0];
  }

  /** One page in order, by keyset after the marker (see image-list.ts). */
  async list(q: ImageQuery): Promise<ImageRecord[]> {
    return this.hydrate(this.db, await listImageRows(this.db, COLUMNS, q));
  }

  /**
   * Apply changes; with `fromStatus` only if the image is in one of those statuses (Glance's
   * from_state), with `whileProperty` only while that property has that value (an import lock:
   * a task that lost its lock changes nothing), otherwise GI_DB_CONFLICT. `whileProperty.remove`
   * deletes the property in the same transaction: of several nodes releasing one lock with a
   * change, exactly one applies its change. Returns the image after the change.
   */
  async update(id: string, changes: ImageChanges, opts: UpdateConditions = {}): Promise<ImageRecord> {
    await this.db.transaction(async (tx) => {
      const held = opts.whileProperty;
      // The conditional delete comes first: a second node deleting the same row waits for this
      // transaction, then finds nothing to delete.
      if (held?.remove && (await tx.execute('DELETE FROM image_properties WHERE image_id = ? AND name = ? AND value = ?', [id, held.name, held.value])) === 0) {
        throw giError('GI_DB_CONFLICT', { kind: 'image', id, reason: `property ${held.name} is no longer ${held.value}` });
      }
      const cols = Object.entries(changes.columns ?? {}).filter(([k]) => (COLUMNS as readonly string[]).includes(k) && k !== 'id');
      const sets = [...cols.map(([k]) => `${k} = ?`), 'updated_at = ?'];
      const params: SqlValue[] = [...cols.map(([, v]) => toSql(v)), now(), id];
      let cond = 'id = ? AND deleted = 0';
      if (opts.fromStatus) {
        cond += ` AND status IN (${placeholders(opts.fromStatus.length)})`;
        params.push(...opts.fromStatus);
      }
      if (held && !held.remove) {
        cond += ' AND EXISTS (SELECT 1 FROM image_properties p WHERE p.image_id = images.id AND p.name = ? AND p.value = ?)';
        params.push(held.name, held.value);
      }
      const changed = await tx.execute(`UPDATE images SET ${sets.join(', ')} WHERE ${cond}`, params);
      if (changed === 0) {
        const row = (await tx.query<{ status: string }>('SELECT status FROM images WHERE id = ? AND deleted = 0', [id]))[0];
        if (!row) throw giError('GI_DB_NOT_FOUND', { kind: 'image', id });
        const reason =
          opts.fromStatus && !opts.fromStatus.includes(row.status as ImageStatus)
            ? `status is ${row.status}, expected ${opts.fromStatus.join(' or ')}`
            : `property ${held?.name} is no longer ${held?.value}`;
        throw giError('GI_DB_CONFLICT', { kind: 'image', id, reason });
      }
      for (const name of changes.removeProperties ?? []) await tx.execute('DELETE FROM image_properties WHERE image_id = ? AND name = ?', [id, name]);
      // One statement, so a property a concurrent setPropertyIfAbsent creates is overwritten, not a unique violation.
      for (const [k, v] of Object.entries(changes.setProperties ?? {})) {
        await tx.execute(
          'INSERT INTO image_properties (image_id, name, value) VALUES (?, ?, ?) ON CONFLICT (image_id, name) DO UPDATE SET value = excluded.value',
          [id, k, v],
        );
      }
      if (changes.tags) {
        await tx.execute('DELETE FROM image_tags WHERE image_id = ?', [id]);
        for (const t of new Set(changes.tags)) await tx.execute('INSERT INTO image_tags (image_id, value) VALUES (?, ?)', [id, t]);
      }
    });
    return (await this.get(id))!;
  }

  /** Create a property only if absent (the import lock). True when this call created it. */
  async setPropertyIfAbsent(id: string, name: string, value: string): Promise<boolean> {
    return (await this.db.execute('INSERT INTO image_properties (image_id, name, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', [id, name, value])) === 1;
  }

  /** Delete a property only if it still has `value`. True when this call deleted it. */
  async deletePropertyIfEquals(id: string, name: string, value: string): Promise<boolean> {
    return (await this.db.execute('DELETE FROM image_properties WHERE image_id = ? AND name = ? AND value = ?', [id, name, value])) === 1;
  }

  async addLocation(id: string, loc: Omit<ImageLocation, 'id' | 'createdAt'>): Promise<ImageLocation> {
    const location: ImageLocation = { ...loc, id: randomUUID(), createdAt: now() };
    await this.db.execute('INSERT INTO image_locations (id, image_id, store, url, metadata, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      location.id,
      id,
      loc.store,
      loc.url,
      JSON.stringify(loc.metadata),
      loc.status,
      location.createdAt,
    ]);
    return location;
  }

  async removeLocation(id: string, locationId: string): Promise<void> {
    await this.db.execute('DELETE FROM image_locations WHERE image_id = ? AND id = ?', [id, locationId]);
  }

  /** Soft delete: the row stays (status deleted) so ids are never reused; locations go. */
  async markDeleted(id: string): Promise<void> {
    const ts = now();
    await this.db.transaction(async (tx) => {
      await tx.execute("UPDATE images SET status = 'deleted', deleted = 1, deleted_at = ?, updated_at = ? WHERE id = ?", [ts, ts, id]);
      await tx.execute('DELETE FROM image_locations WHERE image_id = ?', [id]);
    });
  }

  /**
   * What a project uses, for quotas: images, images being written, bytes staged, and bytes stored
   * (once per store holding a copy, as Glance counts locations).
   */
  async usage(owner: string): Promise<{ count: number; uploading: number; stagedBytes: number; storedBytes: number }> {
    const a =
      (
        await this.db.query<Record<string, unknown>>(
          `SELECT COUNT(*) AS total,
         SUM(CASE WHEN status IN ('saving', 'uploading', 'importing') OR EXISTS (SELECT 1 FROM image_properties p WHERE p.image_id = images.id AND p.name = 'os_glance_import_task') THEN 1 ELSE 0 END) AS uploading,
         SUM(CASE WHEN status IN ('uploading', 'importing') THEN COALESCE(size, 0) ELSE 0 END) AS staged
       FROM images WHERE owner = ? AND deleted = 0`,
          [owner],
        )
      )[0] ?? {};
    const b =
      (
        await this.db.query<Record<string, unknown>>(
          `SELECT COALESCE(SUM(i.size), 0) AS stored FROM images i JOIN image_locations l ON l.image_id = i.id
       WHERE i.owner = ? AND i.deleted = 0 AND l.status = 'active'`,
          [owner],
        )
      )[0] ?? {};
    return { count: Number(a.total ?? 0), uploading: Number(a.uploading ?? 0), stagedBytes: Number(a.staged ?? 0), storedBytes: Number(b.stored ?? 0) };
  }

  /** The projects that own images (not deleted), sorted. */
  async owners(): Promise<string[]> {
    return (await this.db.query<{ owner: string }>('SELECT DISTINCT owner FROM images WHERE deleted = 0 AND owner IS NOT NULL ORDER BY owner')).map(
      (r) => r.owner,
    );
  }

  /** Members of a shared image, oldest first. */
  async members(id: string): Promise<ImageMember[]> {
    return (
      await this.db.query<Record<string, string>>(
        'SELECT image_id, member, status, created_at, updated_at FROM image_members WHERE image_id = ? ORDER BY created_at, member',
        [id],
      )
    ).map(toMember);
  }

  /** Add a member (status pending); GI_DB_DUPLICATE when it is one already. */
  async addMember(id: string, member: string): Promise<ImageMember> {
    const ts = now();
    try {
      await this.db.execute('INSERT INTO image_members (image_id, member, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [
        id,
        member,
        'pending',
        ts,
        ts,
      ]);
    } catch (e) {
      if (isUniqueViolation(e)) throw giError('GI_DB_DUPLICATE', { kind: 'member', id: member });
      throw e;
    }
    return { image_id: id, member, status: 'pending', created_at: ts, updated_at: ts };
  }

  async setMemberStatus(id: string, member: string, status: ImageMember['status']): Promise<ImageMember | undefined> {
    if ((await this.db.execute('UPDATE image_members SET status = ?, updated_at = ? WHERE image_id = ? AND member = ?', [status, now(), id, member])) === 0)
      return undefined;
    return (await this.members(id)).find((m) => m.member === member);
  }

  async removeMember(id: string, member: string): Promise<boolean> {
    return (await this.db.execute('DELETE FROM image_members WHERE image_id = ? AND member = ?', [id, member])) === 1;
  }

  /** The member record of `project` on an image (shared images), if any. */
  async membership(id: string, project: string): Promise<{ status: string } | undefined> {
    return (await this.db.query<{ status: string }>('SELECT status FROM image_members WHERE image_id = ? AND member = ?', [id, project]))[0];
  }

  /** Whether an id exists at all, deleted or not (for the staging sweeper and duplicate checks). */
  async isLive(id: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 AS one FROM images WHERE id = ? AND deleted = 0', [id])).length > 0;
  }

  private async load(ex: SqlExecutor, ids: readonly string[]): Promise<ImageRecord[]> {
    if (ids.length === 0) return [];
    const rows = await ex.query(`SELECT ${COLUMNS.join(', ')} FROM images WHERE deleted = 0 AND id IN (${placeholders(ids.length)})`, ids);
    const byId = new Map((await this.hydrate(ex, rows)).map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)).filter((r): r is ImageRecord => r !== undefined);
  }

  /** Live image rows with their properties, tags and locations, in the rows' order. */
  private async hydrate(ex: SqlExecutor, rows: readonly Row[]): Promise<ImageRecord[]> {
    // A deleted image keeps its properties and tags rows; read them only for the live ones.
    const live = rows.map((r) => String(r.id));
    if (live.length === 0) return [];
    const inList = placeholders(live.length);
    const props = await ex.query<{ image_id: string; name: string; value: string }>(
      `SELECT image_id, name, value FROM image_properties WHERE image_id IN (${inList}) ORDER BY name`,
      live,
    );
    const tags = await ex.query<{ image_id: string; value: string }>(
      `SELECT image_id, value FROM image_tags WHERE image_id IN (${inList}) ORDER BY value`,
      live,
    );
    const locs = await ex.query<Row>(
      `SELECT id, image_id, store, url, metadata, status, created_at FROM image_locations WHERE image_id IN (${inList}) ORDER BY created_at, id`,
      live,
    );
    const records = rows.map(toRecord);
    const byId = new Map(records.map((r) => [r.id, r]));
    for (const p of props) {
      const r = byId.get(p.image_id);
      if (r) r.properties[p.name] = p.value;
    }
    for (const t of tags) byId.get(t.image_id)?.tags.push(t.value);
    for (const l of locs) {
      byId.get(String(l.image_id))?.locations.push({
        id: String(l.id),
        store: String(l.store),
        url: String(l.url),
        metadata: JSON.parse(String(l.metadata)) as Record<string, unknown>,
        status: l.status as ImageLocation['status'],
        createdAt: String(l.created_at),
      });
    }
    return records;
  }
}
