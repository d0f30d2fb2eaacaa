import { giError } from './errors.js';
import { keyset, type SortTerm } from './keyset.js';
import { placeholders, toSql } from './rows.js';
import type { SqlExecutor, SqlValue } from './sql/driver.js';
import type { ColumnFilter, ImageQuery } from './types.js';

/** Glance's sort keys (`_available_sort_keys`); migration 2 indexes each as (key, created_at, id). */
export const IMAGE_SORT_KEYS = ['name', 'status', 'container_format', 'disk_format', 'size', 'id', 'created_at', 'updated_at'] as const;
type ImageSortKey = (typeof IMAGE_SORT_KEYS)[number];

/**
 * What a sort key orders by. A NULL counts as '' or 0, as Glance's `_paginate_query` compares the
 * marker, so every term has a value and rows compare as tuples. The expressions are those of the
 * indexes in migration 2, character for character apart from the table name.
 */
const SORT_EXPR: Record<ImageSortKey, string> = {
  name: "COALESCE(images.name, '')",
  status: 'images.status',
  container_format: "COALESCE(images.container_format, '')",
  disk_format: "COALESCE(images.disk_format, '')",
  size: 'COALESCE(images.size, 0)',
  id: 'images.id',
  created_at: 'images.created_at',
  updated_at: 'images.updated_at',
};

const OPS = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

interface Clause {
  sql: string;
  params: SqlValue[];
}

/**
 * One column condition. A column with a sort index is compared through its sort expression, so
 * that index serves the filter too; `IS NOT NULL` keeps SQL's meaning (NULL matches nothing).
 */
function columnClause(f: ColumnFilter): Clause {
  const raw = `images.${f.column}`;
  const sorted = (SORT_EXPR as Record<string, string>)[f.column];
  const expr = sorted ?? raw;
  const notNull = sorted && sorted !== raw ? ` AND ${raw} IS NOT NULL` : '';
  if (f.op === 'in') {
    if (f.values.length === 0) return { sql: '1 = 0', params: [] };
    return { sql: `${expr} IN (${placeholders(f.values.length)})${notNull}`, params: [...f.values] };
  }
  return { sql: `${expr} ${OPS[f.op]} ?${notNull}`, params: [toSql(f.value)] };
}

/** WHERE clause for a listing: visibility as the viewer may see it (Glance's image_get_all), then filters. */
function filters(q: ImageQuery): Clause {
  const w: string[] = [];
  const p: SqlValue[] = [];
  const add = (sql: string, ...params: SqlValue[]) => {
    w.push(sql);
    p.push(...params);
  };
  const project = q.viewer.projectId ?? '';
  const memberStatus = q.member_status ?? 'accepted';
  const isMember =
    memberStatus === 'all'
      ? (['EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id AND m.member = ?)', [project]] as const)
      : (['EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id AND m.member = ? AND m.status = ?)', [project, memberStatus]] as const);
  // Literally `deleted = 0`: the partial indexes of migration 2 are chosen on this very term.
  add('images.deleted = 0');
  const vis = q.visibility ?? 'all';
  if (vis !== 'all') add('images.visibility = ?', vis);
  if (!q.viewer.isAdmin) {
    // Community images are listed only when asked for (visibility=community) or owned.
    if (vis === 'all') add(`(images.owner = ? OR images.visibility = 'public' OR (images.visibility = 'shared' AND ${isMember[0]}))`, project, ...isMember[1]);
    else if (vis === 'private') add('images.owner = ?', project);
    else if (vis === 'shared') add(`(images.owner = ? OR ${isMember[0]})`, project, ...isMember[1]);
  }
  for (const f of q.columns ?? []) {
    const c = columnClause(f);
    add(c.sql, ...c.params);
  }
  for (const t of q.tags ?? []) add('EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = images.id AND t.value = ?)', t);
  for (const [k, v] of Object.entries(q.properties ?? {}))
    add('EXISTS (SELECT 1 FROM image_properties ip WHERE ip.image_id = images.id AND ip.name = ? AND ip.value = ?)', k, v);
  return { sql: w.join(' AND '), params: p };
}

function sortTerms(q: ImageQuery): SortTerm[] {
  const terms = q.sort.map((s) => ({ key: s.key, expr: SORT_EXPR[s.key as ImageSortKey], dir: s.dir }));
  for (const t of terms) if (!t.expr) throw new TypeError(`not an image sort key: ${t.key}`);
  if (!terms.some((t) => t.key === 'id')) terms.push({ key: 'id', expr: SORT_EXPR.id, dir: terms.at(-1)?.dir ?? 'desc' });
  return terms;
}

/**
 * The marker's values of the sort terms. Like Glance (`_image_get`), the marker need not match the
 * filters, only exist (GI_DB_MARKER_NOT_FOUND) and be visible to the viewer (GI_DB_MARKER_FORBIDDEN).
 */
async function markerValues(ex: SqlExecutor, q: ImageQuery & { marker: string }, terms: readonly SortTerm[]): Promise<SqlValue[]> {
  const row = (
    await ex.query<Record<string, SqlValue>>(
      `SELECT ${terms.map((t, i) => `${t.expr} AS k${i}`).join(', ')}, images.owner AS owner, images.visibility AS visibility,
       EXISTS (SELECT 1 FROM image_members m WHERE m.image_id = images.id AND m.member = ?) AS is_member
     FROM images WHERE images.id = ? AND images.deleted = 0`,
      [q.viewer.projectId ?? '', q.marker],
    )
  )[0];
  if (!row) throw giError('GI_DB_MARKER_NOT_FOUND', { kind: 'image', marker: q.marker });
  // Glance's db utils is_image_visible: membership in any status counts here.
  const visible =
    q.viewer.isAdmin ||
    row.owner === null ||
    row.visibility === 'public' ||
    row.visibility === 'community' ||
    (q.viewer.projectId !== null && (row.owner === q.viewer.projectId || (row.visibility === 'shared' && Boolean(Number(row.is_member)))));
  if (!visible) throw giError('GI_DB_MARKER_FORBIDDEN', { kind: 'image', marker: q.marker });
  return terms.map((_t, i) => row[`k${i}`]!);
}

/** The rows of one page, in order: `SELECT <columns>` with the filters, keyset after the marker, LIMIT. */
export async function listImageRows(ex: SqlExecutor, columns: readonly string[], q: ImageQuery): Promise<Record<string, unknown>[]> {
  const terms = sortTerms(q);
  const where = filters(q);
  const page = keyset(terms, q.marker !== undefined ? await markerValues(ex, { ...q, marker: q.marker }, terms) : undefined);
  const conditions = [where.sql, ...(page.after ? [page.after.sql] : [])].join(' AND ');
  return ex.query(`SELECT ${columns.map((c) => `images.${c}`).join(', ')} FROM images WHERE ${conditions} ORDER BY ${page.orderBy} LIMIT ?`, [
    ...where.params,
    ...(page.after?.params ?? []),
    q.limit,
  ]);
}
