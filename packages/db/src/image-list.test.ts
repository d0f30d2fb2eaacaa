import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { listImageRows } from './image-list.js';
import type { Database } from './open.js';
import type { SqlExecutor, SqlValue } from './sql/driver.js';
import { newImage } from './records.fixture.js';
import { BACKENDS, databasePerTest } from './test-backends.js';
import type { ImageQuery, NewImage, SortKey } from './types.js';

const img = (o: Partial<NewImage> = {}): NewImage => newImage({ visibility: 'shared', owner: 'p1', ...o });
const viewer = { projectId: 'p1', isAdmin: false };

describe.each(BACKENDS)('listing images on %s', (backend) => {
  const fresh = databasePerTest(backend);
  let db: Database;
  beforeEach(async () => {
    db = await fresh().open();
  });

  const names = async (q: Partial<ImageQuery>) => (await db.images.list({ viewer, sort: [{ key: 'name', dir: 'asc' }], limit: 100, ...q })).map((i) => i.name);

  it('filters on columns: in and eq lists, comparisons, integers and timestamps, NULL matching nothing', async () => {
    const made: Record<string, string> = {};
    for (const [name, size, disk] of [
      ['a', 0, 'raw'],
      ['b', 5, 'qcow2'],
      ['c', null, 'raw'],
      ['x,y', 7, null],
    ] as const) {
      const { id } = await db.images.create(img({ name, disk_format: disk, min_ram: size ?? 1 }));
      if (size !== null) await db.images.update(id, { columns: { size, checksum: `md5-${name}` } });
      made[name] = id;
    }
    expect(await names({ columns: [{ column: 'name', op: 'in', values: ['a', 'x,y', 'zz'] }] })).toEqual(['a', 'x,y']);
    expect(await names({ columns: [{ column: 'id', op: 'in', values: [made.b!, made.c!] }] })).toEqual(['b', 'c']);
    expect(await names({ columns: [{ column: 'name', op: 'in', values: [] }] })).toEqual([]);
    expect(await names({ columns: [{ column: 'disk_format', op: 'eq', value: 'raw' }] })).toEqual(['a', 'c']);
    expect(await names({ columns: [{ column: 'size', op: 'eq', value: 0 }] })).toEqual(['a']); // not c, whose size is NULL
    expect(await names({ columns: [{ column: 'size', op: 'lte', value: 5 }] })).toEqual(['a', 'b']);
    expect(await names({ columns: [{ column: 'size', op: 'neq', value: 5 }] })).toEqual(['a', 'x,y']);
    expect(await names({ columns: [{ column: 'checksum', op: 'eq', value: 'md5-b' }] })).toEqual(['b']);
    expect(await names({ columns: [{ column: 'min_ram', op: 'eq', value: 1 }] })).toEqual(['c']);
    expect(
      await names({
        columns: [
          { column: 'protected', op: 'eq', value: false },
          { column: 'status', op: 'in', values: ['queued'] },
        ],
      }),
    ).toEqual(['a', 'b', 'c', 'x,y']);
    const { created_at: cAt } = (await db.images.get(made.c!))!;
    expect(await names({ columns: [{ column: 'created_at', op: 'lte', value: cAt }] })).toEqual(expect.arrayContaining(['a', 'b', 'c']));
    expect(await names({ columns: [{ column: 'created_at', op: 'gt', value: '2999-01-01T00:00:00.000Z' }] })).toEqual([]);
    expect(await names({ columns: [{ column: 'updated_at', op: 'gte', value: '2000-01-01T00:00:00.000Z' }] })).toHaveLength(4);
  });

  it('pages by keyset through every order, NULLs and ties included, the same rows as one long page', async () => {
    const specs = [
      ['b', 3],
      ['a', null],
      [null, 1],
      ['b', 1],
      ['a', 2],
      ['c', null],
      [null, null],
      ['b', 3],
    ] as const;
    for (const [name, size] of specs) {
      const { id } = await db.images.create(img({ name, disk_format: size === 3 ? 'qcow2' : 'raw' }));
      if (size !== null) await db.images.update(id, { columns: { size } });
    }
    const orders: SortKey[][] = [
      [
        { key: 'created_at', dir: 'desc' },
        { key: 'id', dir: 'desc' },
      ],
      [
        { key: 'name', dir: 'asc' },
        { key: 'created_at', dir: 'asc' },
      ],
      [
        { key: 'name', dir: 'desc' },
        { key: 'created_at', dir: 'desc' },
      ],
      [
        { key: 'size', dir: 'asc' },
        { key: 'name', dir: 'desc' },
      ], // mixed directions
      [
        { key: 'disk_format', dir: 'desc' },
        { key: 'size', dir: 'asc' },
        { key: 'created_at', dir: 'desc' },
      ],
      [{ key: 'status', dir: 'asc' }],
    ];
    for (const sort of orders) {
      const all = (await db.images.list({ viewer, sort, limit: 100 })).map((i) => i.id);
      expect(all).toHaveLength(specs.length);
      for (const limit of [1, 3]) {
        const seen: string[] = [];
        let marker: string | undefined;
        for (;;) {
          const page = await db.images.list({ viewer, sort, limit, ...(marker ? { marker } : {}) });
          seen.push(...page.map((i) => i.id));
          if (page.length < limit) break;
          marker = page.at(-1)!.id;
        }
        expect(seen, JSON.stringify(sort)).toEqual(all);
      }
    }
    // NULL sorts first ascending, as '' and 0 (Glance's marker defaults).
    expect((await db.images.list({ viewer, sort: [{ key: 'size', dir: 'asc' }], limit: 3 })).map((i) => i.size)).toEqual([null, null, null]);
  });

  it("pages from the marker's place in the order when the marker is outside the filtered set", async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) await db.images.create(img({ name: n, tags: n === 'c' ? [] : ['t'] }));
    const c = (await db.images.list({ viewer, sort: [{ key: 'name', dir: 'asc' }], limit: 100 })).find((i) => i.name === 'c')!;
    expect(await names({ tags: ['t'], marker: c.id })).toEqual(['d', 'e']);
    expect(await names({ tags: ['t'], marker: c.id, sort: [{ key: 'name', dir: 'desc' }] })).toEqual(['b', 'a']);
  });

  it("refuses a marker that is unknown, deleted or not visible to the viewer, in Glance's words", async () => {
    const theirs = await db.images.create(img({ owner: 'p2', visibility: 'private' }));
    const shared = await db.images.create(img({ owner: 'p2', visibility: 'shared', name: 's' }));
    await db.images.addMember(shared.id, 'p1');
    const gone = await db.images.create(img());
    await db.images.markDeleted(gone.id);
    await expect(names({ marker: gone.id })).rejects.toMatchObject({
      code: 'GI_DB_MARKER_NOT_FOUND',
      status: 400,
      message: `No image found with ID ${gone.id}`,
    });
    await expect(names({ marker: theirs.id })).rejects.toMatchObject({
      code: 'GI_DB_MARKER_FORBIDDEN',
      status: 403,
      message: `Forbidding request, image ${theirs.id} not visible`,
    });
    expect(await names({ marker: theirs.id, viewer: { projectId: 'x', isAdmin: true } })).toBeInstanceOf(Array);
    // A pending membership makes the image visible as a marker (Glance's is_image_visible), not listed.
    expect(await names({ marker: shared.id })).toEqual([]);
  });

  it('reads a page of a large catalogue through an index, as a seek from the marker (a page costs the same anywhere)', async () => {
    // 20,000 rows in one statement, then the engine's statistics, so the planner chooses as it would in production.
    await db.driver.execute(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
      INSERT INTO images (id, name, status, visibility, owner, disk_format, container_format, size, min_disk, min_ram, protected, os_hidden, created_at, updated_at, deleted)
      SELECT 'id-' || i, 'name-' || (i % 97), 'active', 'public', 'p' || (i % 10), 'raw', 'bare', i, 0, 0, 0, 0,
        '2020-01-01T00:00:00.000Z' || i, '2020-01-01T00:00:00.000Z', 0 FROM n`);
    await db.driver.execute('ANALYZE');
    const plan = async (sort: SortKey[], extra: Partial<ImageQuery> = {}) => {
      const seen: Array<{ sql: string; params: readonly SqlValue[] }> = [];
      const spy: SqlExecutor = {
        query: async <T>(sql: string, params: readonly SqlValue[] = []) => {
          seen.push({ sql, params });
          return db.driver.query<T>(sql, params);
        },
        execute: (sql, params) => db.driver.execute(sql, params),
      };
      await listImageRows(spy, ['id'], { viewer, sort, limit: 25, marker: 'id-15000', columns: [{ column: 'os_hidden', op: 'eq', value: false }], ...extra });
      const page = seen.at(-1)!;
      const rows = await db.driver.query<Record<string, string>>(`${backend === 'sqlite' ? 'EXPLAIN QUERY PLAN' : 'EXPLAIN'} ${page.sql}`, page.params);
      return rows.map((r) => r.detail ?? r['QUERY PLAN']).join('\n');
    };
    const byDate = await plan([{ key: 'created_at', dir: 'desc' }]);
    const byName = await plan([
      { key: 'name', dir: 'asc' },
      { key: 'created_at', dir: 'asc' },
    ]);
    const bySize = await plan(
      [
        { key: 'size', dir: 'desc' },
        { key: 'created_at', dir: 'desc' },
      ],
      { viewer: { projectId: 'p1', isAdmin: true } },
    );
    if (backend === 'sqlite') {
      expect(byDate).toMatch(/SEARCH images USING INDEX images_sort_created_at \(\(created_at,id\)<\(\?,\?\)\)/);
      expect(byName).toMatch(/SEARCH images USING INDEX images_sort_name \(<expr>>\?\)/);
      expect(bySize).toMatch(/SEARCH images USING INDEX images_sort_size \(<expr><\?\)/);
      for (const p of [byDate, byName, bySize]) expect(p).not.toMatch(/TEMP B-TREE|SCAN images/);
    } else {
      expect(byDate).toMatch(/Index Scan Backward using images_sort_created_at on images.*\n.*Index Cond: \(ROW\(created_at, id\) < ROW\(/);
      expect(byName).toMatch(/Index Scan using images_sort_name on images.*\n.*Index Cond: .*ROW\(COALESCE\(name, ''::text\), created_at, id\) > ROW\(/);
      expect(bySize).toMatch(/Index Scan Backward using images_sort_size on images/);
      for (const p of [byDate, byName, bySize]) expect(p).not.toMatch(/Seq Scan on images|Sort Key/);
    }
  }, 60_000);
});
