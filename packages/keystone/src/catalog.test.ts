import { describe, expect, it } from 'vitest';
import { endpointOf, imageEndpointOf, normalizeCatalog } from './catalog.js';
import { demoToken } from './token.fixture.js';

describe('normalizeCatalog', () => {
  it('folds v3 endpoints per region into the v2 shape keystonemiddleware puts in X-Service-Catalog', () => {
    expect(normalizeCatalog(demoToken().token.catalog)).toEqual([
      {
        type: 'identity',
        name: 'keystone',
        endpoints: [
          { region: 'RegionOne', publicURL: 'http://127.0.0.1:5000/v3', internalURL: 'http://127.0.0.1:5000/v3', adminURL: 'http://127.0.0.1:5000/v3' },
        ],
      },
      {
        type: 'image',
        name: 'glance',
        endpoints: [{ region: 'RegionOne', publicURL: 'http://127.0.0.1:9292', internalURL: 'http://127.0.0.1:9292', adminURL: 'http://127.0.0.1:9292' }],
      },
    ]);
  });

  it('keeps each region apart and skips what is not an endpoint', () => {
    const c = normalizeCatalog([
      {
        type: 'image',
        endpoints: [
          { interface: 'public', region_id: 'RegionOne', url: 'http://one' },
          { interface: 'public', region: 'RegionTwo', url: 'http://two' },
          { interface: 'internal', region: 'RegionTwo', url: 'http://two-int' },
          { interface: 'public' },
          'junk',
        ],
      },
      { endpoints: [] },
    ]);
    expect(c).toEqual([
      {
        type: 'image',
        endpoints: [
          { region: 'RegionOne', publicURL: 'http://one' },
          { region: 'RegionTwo', publicURL: 'http://two', internalURL: 'http://two-int' },
        ],
      },
    ]);
    expect(normalizeCatalog('nope')).toEqual([]);
  });
});

describe('endpoints', () => {
  const c = normalizeCatalog([
    {
      type: 'image',
      endpoints: [
        { interface: 'public', region: 'RegionOne', url: 'http://one' },
        { interface: 'public', region: 'RegionTwo', url: 'http://two' },
        { interface: 'internal', region: 'RegionTwo', url: 'http://two-int' },
      ],
    },
  ]);

  it('endpointOf filters by interface and, when named, by region', () => {
    expect(endpointOf(c, 'image', 'public')).toBe('http://one');
    expect(endpointOf(c, 'image', 'internal')).toBe('http://two-int');
    expect(endpointOf(c, 'image', 'public', 'RegionTwo')).toBe('http://two');
    expect(endpointOf(c, 'image', 'admin')).toBeUndefined();
    expect(endpointOf(c, 'identity', 'public')).toBeUndefined();
  });

  it("imageEndpointOf matches the region without regard to case, as Glance's get_glance_endpoint", () => {
    expect(imageEndpointOf(c, 'regiontwo', 'public')).toBe('http://two');
    expect(imageEndpointOf(c, 'RegionTwo', 'internal')).toBe('http://two-int');
    expect(imageEndpointOf(c, 'RegionOne', 'internal')).toBeUndefined();
    expect(imageEndpointOf(c, 'Mars', 'public')).toBeUndefined();
  });
});
