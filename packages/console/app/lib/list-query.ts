import { parseTags } from './patch';

/** The images list as the filter bar sets it; empty strings mean "no filter". */
export interface ImageFilters {
  name: string;
  status: string;
  visibility: string;
  disk_format: string;
  /** In MiB, as typed. */
  size_min: string;
  size_max: string;
  /** Comma separated; every tag must be present (Glance ANDs repeated `tag`). */
  tags: string;
  owner: string;
}

export interface ImageSort {
  key: string;
  dir: 'asc' | 'desc';
}

export const NO_FILTERS: ImageFilters = { name: '', status: '', visibility: '', disk_format: '', size_min: '', size_max: '', tags: '', owner: '' };
export const DEFAULT_SORT: ImageSort = { key: 'created_at', dir: 'desc' };

/** Keys Glance sorts images by (the API refuses any other). */
export const SORT_KEYS = ['name', 'status', 'visibility', 'disk_format', 'size', 'created_at', 'updated_at', 'owner'] as const;

const MiB = 1024 * 1024;

/** The query string of `GET /v2/images` for these filters, sort and page. */
export function imagesQuery(f: ImageFilters, sort: ImageSort, limit: number, marker?: string): string {
  const q = new URLSearchParams();
  q.set('limit', String(limit));
  if (marker) q.set('marker', marker);
  q.set('sort', `${sort.key}:${sort.dir}`);
  if (f.name.trim()) q.set('name', f.name.trim());
  for (const k of ['status', 'visibility', 'disk_format', 'owner'] as const) if (f[k].trim()) q.set(k, f[k].trim());
  for (const k of ['size_min', 'size_max'] as const) {
    const mib = Number(f[k]);
    if (f[k].trim() && Number.isFinite(mib) && mib >= 0) q.set(k, String(Math.round(mib * MiB)));
  }
  for (const t of parseTags(f.tags)) q.append('tag', t);
  return q.toString();
}

/** The marker of the next page, from the list's `next` link. */
export function nextMarker(next: string | undefined): string | undefined {
  if (!next) return undefined;
  return new URLSearchParams(next.split('?')[1] ?? '').get('marker') ?? undefined;
}
