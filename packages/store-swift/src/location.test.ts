import { describe, expect, it } from 'vitest';
import { containerFor, formatLocation, parseLocation, segmentName } from './location.js';

describe('locations', () => {
  it('are swift+config://<reference>/<container>/<object>, with no credentials, read back as written', () => {
    const o = { reference: 'ref1', container: 'glance', object: 'fdae39a1-bac5-4238-aba4-69bcc726e848' };
    expect(formatLocation(o)).toBe('swift+config://ref1/glance/fdae39a1-bac5-4238-aba4-69bcc726e848');
    expect(parseLocation('objects', formatLocation(o), new Set(['ref1']))).toEqual(o);
  });

  it('of another scheme, shape or reference are GI_STORE_BAD_LOCATION, without the credentials an old location may hold', () => {
    const refs = new Set(['ref1']);
    for (const [location, reason] of [
      ['file:///x', 'not a swift location'],
      ['swift+https://acct:user:s3cr3t@auth.example.com/v3/glance/abc', 'only swift+config:// locations are read (locations with credentials are not)'],
      ['swift+config://ref1/glance', 'expected swift+config://<reference>/<container>/<object>'],
      ['swift+config://ref2/glance/abc', "reference 'ref2' is not configured for this store"],
    ]) {
      let error: unknown;
      try {
        parseLocation('objects', location!, refs);
      } catch (e) {
        error = e;
      }
      expect(error).toMatchObject({ code: 'GI_STORE_BAD_LOCATION', details: { store: 'objects', reason } });
      expect(JSON.stringify(error)).not.toContain('s3cr3t');
    }
  });
});

describe('containerFor (glance_store get_container_name)', () => {
  const id = 'FDAE39A1-bac5-4238-aba4-69bcc726e848';
  it('is the container itself with seed 0', () => expect(containerFor(id, 'glance', 0)).toBe('glance'));
  it('appends the first N characters of the lower-case id, dashes kept but not counted', () => {
    expect(containerFor(id, 'glance', 3)).toBe('glance_fda');
    expect(containerFor(id, 'glance', 10)).toBe('glance_fdae39a1-ba');
    expect(containerFor(id, 'glance', 32)).toBe('glance_fdae39a1-bac5-4238-aba4-69bcc726e848');
  });
});

it('segment names are <object>-%05d from 1', () => {
  expect([segmentName('abc', 1), segmentName('abc', 42), segmentName('abc', 99999)]).toEqual(['abc-00001', 'abc-00042', 'abc-99999']);
});
