import { describe, expect, it } from 'vitest';
import { href, parseRoute, type Route } from './route';

const id = '0b9c3a1e-5d2f-4c1a-9f2e-2a8b7c6d5e4f';

describe('routes', () => {
  it('every page round-trips through its fragment', () => {
    const routes: Route[] = [
      { page: 'images' },
      { page: 'image', id },
      { page: 'edit', id },
      { page: 'watch', id },
      { page: 'import' },
      { page: 'import', copyOf: id },
      { page: 'plugins' },
      { page: 'stores' },
    ];
    for (const r of routes) expect(parseRoute(href(r))).toEqual(r);
  });

  it('anything else is the images list; an id must be a UUID', () => {
    expect(parseRoute('')).toEqual({ page: 'images' });
    expect(parseRoute('#/images/<img src=x>')).toEqual({ page: 'images' });
  });
});
