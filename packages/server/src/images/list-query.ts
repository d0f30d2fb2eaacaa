import { IMAGE_SORT_KEYS, type ColumnFilter, type ImageFilterColumn, type ImageQuery, type SortKey, type Viewer, type Visibility } from '@glance-import/db';
import { badRequest } from '../http/errors.js';
import { isoTime, pythonInt, splitFilterOp, splitQuoted } from './filter-syntax.js';

export type RawQuery = Record<string, string | string[]>;

/** Filters with an operator (`in:a,b`, `eq:a`): Glance's `_make_conditions_from_filters`. */
const MATCHED = new Set(['name', 'id', 'status', 'container_format', 'disk_format']);
const TIMES = new Set(['created_at', 'updated_at']);
const TIME_OPS = new Set(['gt', 'gte', 'lt', 'lte', 'eq', 'neq']);
/** Integer columns: `size=5`, and `size_min` / `size_max` ranges. */
const INTEGERS = new Set(['size', 'virtual_size', 'min_disk', 'min_ram']);
/** Other columns a filter compares for equality, as Glance does any other image attribute. */
const TEXTS = new Set(['owner', 'checksum', 'os_hash_algo', 'os_hash_value']);
/** Query keys that are not filters, or are read on their own. */
const NOT_FILTERS = new Set([
  'limit',
  'marker',
  'sort',
  'sort_key',
  'sort_dir',
  'member_status',
  'tag',
  'visibility',
  'os_hidden',
  'protected',
  'changes-since',
  'deleted',
]);

/** Glance's list query for one page: limits, sort, then every filter. */
export interface ListLimits {
  limitDefault: number;
  limitMax: number;
}

const valuesOf = (raw: RawQuery, k: string): string[] => (raw[k] === undefined ? [] : Array.isArray(raw[k]) ? (raw[k] as string[]) : [raw[k] as string]);

/** sort_key/sort_dir (repeatable) or sort=k:dir,...; created_at and id complete the order as in Glance's image_get_all. */
function sortOf(raw: RawQuery): SortKey[] {
  const checkKey = (k: string) => {
    if (!(IMAGE_SORT_KEYS as readonly string[]).includes(k))
      throw badRequest(`Invalid sort key: ${k}. It must be one of the following: ${IMAGE_SORT_KEYS.join(', ')}.`);
    return k;
  };
  const checkDir = (d: string) => {
    if (d !== 'asc' && d !== 'desc') throw badRequest(`Invalid sort direction: ${d}`);
    return d;
  };
  let keys: string[] = [];
  let dirs: Array<'asc' | 'desc'> = [];
  if (raw.sort !== undefined) {
    if (raw.sort_key !== undefined || raw.sort_dir !== undefined) throw badRequest('Old and new sorting syntax cannot be combined');
    for (const part of valuesOf(raw, 'sort').at(-1)!.trim().split(',')) {
      const at = part.indexOf(':');
      keys.push(checkKey((at < 0 ? part : part.slice(0, at)).trim()));
      dirs.push(checkDir(at < 0 || part.slice(at + 1) === '' ? 'desc' : part.slice(at + 1).trim()));
    }
  } else {
    keys = valuesOf(raw, 'sort_key').map((k) => checkKey(k.trim()));
    dirs = valuesOf(raw, 'sort_dir').map((d) => checkDir(d.trim()));
    if (dirs.length > 1 && dirs.length !== keys.length) throw badRequest('Number of sort dirs does not match the number of sort keys');
  }
  if (!keys.length) keys = ['created_at'];
  if (!dirs.length) dirs = ['desc'];
  const fallback = dirs.length === 1 ? dirs[0]! : 'desc';
  const sort = keys.map((key, i) => ({ key, dir: dirs.length === 1 ? dirs[0]! : dirs[i]! }));
  for (const key of ['created_at', 'id']) if (!keys.includes(key)) sort.push({ key, dir: fallback });
  return sort;
}

/** One filter of the query string as column filters, or undefined when it filters a property. */
function columnFiltersOf(key: string, value: string): ColumnFilter[] | undefined {
  const column = key as ImageFilterColumn;
  if (MATCHED.has(key)) {
    const { op, value: rest } = splitFilterOp(value);
    if (op === 'in') return [{ column, op: 'in', values: splitQuoted(rest) }];
    if (op === 'eq') return [{ column, op: 'in', values: [rest] }];
    throw badRequest(`Unable to filter by unknown operator '${op}'.`);
  }
  if (TIMES.has(key)) {
    const { op, value: rest } = splitFilterOp(value);
    const at = isoTime(rest);
    if (at === undefined) throw badRequest(`Bad "${key}" query filter format. Use ISO 8601 DateTime notation.`);
    if (!TIME_OPS.has(op)) throw badRequest('Unable to filter on a unknown operator.');
    return [{ column, op: op as 'eq', value: at }];
  }
  const range = /^(.*)_(min|max)$/.exec(key);
  if (range && INTEGERS.has(range[1]!)) {
    const n = pythonInt(value);
    if (n === undefined) throw badRequest('Unable to filter on a range with a non-numeric value.');
    return [{ column: range[1] as ImageFilterColumn, op: range[2] === 'min' ? 'gte' : 'lte', value: n }];
  }
  if (INTEGERS.has(key)) {
    // Glance compares the text to the integer column: anything but an integer matches nothing.
    const n = pythonInt(value);
    return [n === undefined ? { column, op: 'in', values: [] } : { column, op: 'eq', value: n }];
  }
  if (TEXTS.has(key)) return [{ column, op: 'eq', value }];
  return undefined;
}

function flag(raw: RawQuery, key: 'os_hidden' | 'protected'): boolean | undefined {
  const given = valuesOf(raw, key).at(-1);
  if (given === undefined) return undefined;
  // Glance lowercases os_hidden, not protected.
  const v = key === 'os_hidden' ? given.toLowerCase() : given;
  if (v !== 'true' && v !== 'false') throw badRequest(`Invalid value '${v}' for '${key}' filter. Valid values are 'true' or 'false'.`);
  return v === 'true';
}

/**
 * GET /v2/images's query as Glance reads it: its deserializer (sort, member_status, visibility,
 * limit), its controller (os_hidden, protected) and its database API (every other key filters a
 * column, or else a property), each refusal in Glance's words.
 */
export function parseListQuery(raw: RawQuery, viewer: Viewer, limits: ListLimits): ImageQuery {
  const one = (k: string) => valuesOf(raw, k).at(-1);
  const sort = sortOf(raw);
  const memberStatus = one('member_status') ?? 'accepted';
  if (!['pending', 'accepted', 'rejected', 'all'].includes(memberStatus)) throw badRequest(`Invalid status: ${memberStatus}`);
  const visibility = one('visibility');
  if (visibility && !['community', 'public', 'private', 'shared', 'all'].includes(visibility)) throw badRequest(`Invalid visibility value: ${visibility}`);
  if (one('changes-since')) throw badRequest('The "changes-since" filter is no longer available on v2.');
  let limit = limits.limitDefault;
  if (one('limit') !== undefined) {
    const n = pythonInt(one('limit')!);
    if (n === undefined) throw badRequest('limit param must be an integer');
    if (n < 0) throw badRequest('limit param must be positive');
    limit = n;
  }
  const columns: ColumnFilter[] = [{ column: 'os_hidden', op: 'eq', value: flag(raw, 'os_hidden') ?? false }];
  const isProtected = flag(raw, 'protected');
  if (isProtected !== undefined) columns.push({ column: 'protected', op: 'eq', value: isProtected });
  const properties: Record<string, string> = {};
  for (const key of Object.keys(raw)) {
    if (NOT_FILTERS.has(key)) continue;
    const value = one(key)!;
    const filters = columnFiltersOf(key, value);
    if (filters) columns.push(...filters);
    else properties[key] = value;
  }
  const tags = valuesOf(raw, 'tag').map((t) => t.trim());
  return {
    viewer,
    sort,
    limit: Math.min(limit, limits.limitMax),
    columns,
    member_status: memberStatus as NonNullable<ImageQuery['member_status']>,
    ...(one('marker') !== undefined ? { marker: one('marker')! } : {}),
    ...(visibility ? { visibility: visibility as Visibility | 'all' } : {}),
    ...(tags.length ? { tags } : {}),
    ...(Object.keys(properties).length ? { properties } : {}),
  };
}
