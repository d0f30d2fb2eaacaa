import { describe, expect, it } from 'vitest';
import { parseListQuery, type RawQuery } from './list-query.js';

const viewer = { projectId: 'p1', isAdmin: false };
const parse = (raw: RawQuery) => parseListQuery(raw, viewer, { limitDefault: 25, limitMax: 1000 });
const refusal = (raw: RawQuery) => {
  try {
    parse(raw);
  } catch (e) {
    return `${(e as { status: number }).status} ${(e as Error).message}`;
  }
  return 'accepted';
};

describe('the list query, read as Glance reads it', () => {
  it('completes the sort with created_at and id, in the direction of a single sort_dir, else desc', () => {
    expect(parse({}).sort).toEqual([
      { key: 'created_at', dir: 'desc' },
      { key: 'id', dir: 'desc' },
    ]);
    expect(parse({ sort_key: 'name', sort_dir: 'asc' }).sort).toEqual([
      { key: 'name', dir: 'asc' },
      { key: 'created_at', dir: 'asc' },
      { key: 'id', dir: 'asc' },
    ]);
    expect(parse({ sort_key: ['name', 'size'], sort_dir: 'asc' }).sort.map((s) => s.dir)).toEqual(['asc', 'asc', 'asc', 'asc']);
    expect(parse({ sort: 'name:asc,size' }).sort).toEqual([
      { key: 'name', dir: 'asc' },
      { key: 'size', dir: 'desc' },
      { key: 'created_at', dir: 'desc' },
      { key: 'id', dir: 'desc' },
    ]);
    expect(parse({ sort: 'name:asc' }).sort.at(-1)).toEqual({ key: 'id', dir: 'asc' });
    expect(parse({ sort_key: 'id', sort_dir: 'asc' }).sort).toEqual([
      { key: 'id', dir: 'asc' },
      { key: 'created_at', dir: 'asc' },
    ]);
  });

  it('turns filters on image columns into column filters and any other key into a property filter', () => {
    const q = parse({
      name: 'in:a,"x,y"',
      status: 'eq:active',
      id: 'abc',
      checksum: 'c0ffee',
      size: '5',
      min_ram: 'big',
      size_max: '-1',
      created_at: 'gte:2024-01-01T00:00:00Z',
      os_distro: 'debian',
      protected: 'true',
      tag: [' gold ', 'x'],
    });
    expect(q.columns).toEqual([
      { column: 'os_hidden', op: 'eq', value: false },
      { column: 'protected', op: 'eq', value: true },
      { column: 'name', op: 'in', values: ['a', 'x,y'] },
      { column: 'status', op: 'in', values: ['active'] },
      { column: 'id', op: 'in', values: ['abc'] },
      { column: 'checksum', op: 'eq', value: 'c0ffee' },
      { column: 'size', op: 'eq', value: 5 },
      { column: 'min_ram', op: 'in', values: [] },
      { column: 'size', op: 'lte', value: -1 },
      { column: 'created_at', op: 'gte', value: '2024-01-01T00:00:00.000Z' },
    ]);
    expect(q.properties).toEqual({ os_distro: 'debian' });
    expect(q.tags).toEqual(['gold', 'x']);
    expect(q).toMatchObject({ limit: 25, member_status: 'accepted' });
    expect(parse({ limit: '5000' }).limit).toBe(1000);
    expect(parse({ marker: '' }).marker).toBe('');
  });

  it('refuses what Glance refuses, in its words', () => {
    expect(refusal({ name: 'like:a' })).toBe("400 Unable to filter by unknown operator 'like'.");
    expect(refusal({ disk_format: 'in:"raw' })).toBe('400 Invalid filter value "raw. The quote is not closed.');
    expect(refusal({ created_at: 'gt:yesterday' })).toBe('400 Bad "created_at" query filter format. Use ISO 8601 DateTime notation.');
    expect(refusal({ updated_at: 'in:2024-01-01' })).toBe('400 Unable to filter on a unknown operator.');
    expect(refusal({ size_min: 'abc' })).toBe('400 Unable to filter on a range with a non-numeric value.');
    expect(refusal({ member_status: 'bogus' })).toBe('400 Invalid status: bogus');
    expect(refusal({ visibility: 'bogus' })).toBe('400 Invalid visibility value: bogus');
    expect(refusal({ limit: '-1' })).toBe('400 limit param must be positive');
    expect(refusal({ limit: 'x' })).toBe('400 limit param must be an integer');
    expect(refusal({ sort_key: 'min_ram' })).toBe(
      '400 Invalid sort key: min_ram. It must be one of the following: name, status, container_format, disk_format, size, id, created_at, updated_at.',
    );
    expect(refusal({ sort_dir: 'up' })).toBe('400 Invalid sort direction: up');
    expect(refusal({ sort: 'name', sort_key: 'name' })).toBe('400 Old and new sorting syntax cannot be combined');
    expect(refusal({ sort_key: 'name', sort_dir: ['asc', 'desc'] })).toBe('400 Number of sort dirs does not match the number of sort keys');
    expect(refusal({ os_hidden: 'yes' })).toBe("400 Invalid value 'yes' for 'os_hidden' filter. Valid values are 'true' or 'false'.");
    expect(refusal({ protected: 'True' })).toBe("400 Invalid value 'True' for 'protected' filter. Valid values are 'true' or 'false'.");
    expect(refusal({ 'changes-since': '2024' })).toBe('400 The "changes-since" filter is no longer available on v2.');
    expect(refusal({ os_hidden: 'TRUE', size_max: '-1', limit: '0' })).toBe('accepted');
  });
});
