import { describe, expect, it } from 'vitest';
import { DEFAULT_SORT, imagesQuery, nextMarker, NO_FILTERS } from './list-query';

describe('imagesQuery', () => {
  it('no filters: a page of the newest first', () => {
    expect(imagesQuery(NO_FILTERS, DEFAULT_SORT, 25)).toBe('limit=25&sort=created_at%3Adesc');
  });

  it("Glance's filters: sizes from MiB to bytes, one `tag` per tag", () => {
    const q = new URLSearchParams(
      imagesQuery(
        { ...NO_FILTERS, name: ' ubuntu:22.04 ', status: 'active', visibility: 'all', disk_format: 'qcow2', size_min: '1', size_max: '2.5', tags: 'a, b' },
        { key: 'size', dir: 'asc' },
        10,
        'm1',
      ),
    );
    expect(Object.fromEntries(q)).toMatchObject({
      limit: '10',
      marker: 'm1',
      sort: 'size:asc',
      name: 'eq:ubuntu:22.04',
      status: 'eq:active',
      visibility: 'all',
      disk_format: 'eq:qcow2',
      size_min: '1048576',
      size_max: '2621440',
    });
    expect(q.getAll('tag')).toEqual(['a', 'b']);
  });

  it('ignores a size that is not a number', () => {
    expect(imagesQuery({ ...NO_FILTERS, size_min: 'big' }, DEFAULT_SORT, 5)).not.toContain('size_min');
  });

  it('nextMarker reads the marker of the next link', () => {
    expect(nextMarker('/v2/images?limit=2&marker=abc')).toBe('abc');
    expect(nextMarker(undefined)).toBeUndefined();
  });
});
