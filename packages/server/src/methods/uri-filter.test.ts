import { describe, expect, it } from 'vitest';
import { nodeLocalKind } from './local-address.js';
import { filterImportUri, redactUri, type FilterOptions, type ResolvedAddress, type Resolver } from './uri-filter.js';

const defaults: FilterOptions = {
  allowed_schemes: ['http', 'https'],
  disallowed_schemes: [],
  allowed_hosts: [],
  disallowed_hosts: [],
  allowed_ports: [80, 443],
  disallowed_ports: [],
  allow_local_addresses: false,
};

/** A fake DNS: names map to addresses; anything else does not resolve. Counts the questions. */
function dns(table: Record<string, string[]>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (host: string): Promise<ResolvedAddress[]> => {
    asked.push(host);
    const found = table[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

const web = dns({ 'images.example.org': ['203.0.113.7'], 'mirror.example.org': ['198.51.100.2'], 'sneaky.example.org': ['203.0.113.9', '127.0.0.1'] });
const check = (uri: string, o: Partial<FilterOptions> = {}, resolve: Resolver = web) => filterImportUri(uri, { ...defaults, ...o }, resolve);
const reason = async (uri: string, o: Partial<FilterOptions> = {}, resolve: Resolver = web) => {
  const v = await check(uri, o, resolve);
  return v.ok ? 'accepted' : v.reason;
};

describe('filterImportUri: Glance validate_import_uri', () => {
  it('accepts http(s) on default ports and pins the resolved address', async () => {
    const v = await check('http://images.example.org/cirros.img');
    expect(v).toMatchObject({ ok: true, host: 'images.example.org', pinned: { address: '203.0.113.7', family: 4 } });
    expect(await reason('https://IMAGES.example.org:443/x')).toBe('accepted');
  });

  it('refuses empty, unparsable and scheme-less URIs', async () => {
    expect(await reason('')).toBe('it is empty');
    expect(await reason('fake_uri')).toBe('it is not a valid URL');
    expect(await reason('mailto:a@images.example.org', { allowed_schemes: [] })).toBe('it has no scheme://host part');
    expect(await reason('http://images.example.org\\@evil/')).toMatch(/backslashes/);
  });

  it('schemes: the allow list wins over the deny list; other schemes cannot be downloaded', async () => {
    expect(await reason('ftp://images.example.org/x')).toBe("scheme 'ftp' is not in allowed_schemes");
    expect(await reason('ftp://images.example.org/x', { allowed_schemes: [], disallowed_schemes: ['ftp'] })).toBe("scheme 'ftp' is in disallowed_schemes");
    expect(await reason('http://images.example.org/x', { allowed_schemes: ['http'], disallowed_schemes: ['http'] })).toBe('accepted');
    expect(await reason('ftp://images.example.org/x', { allowed_schemes: [] })).toMatch(/cannot be downloaded/);
  });

  it('hosts: allow list, deny list, allow list ignoring the deny list, entries compared canonically', async () => {
    expect(await reason('http://mirror.example.org/', { allowed_hosts: ['images.example.org'] })).toBe("host 'mirror.example.org' is not in allowed_hosts");
    expect(await reason('http://images.example.org/', { disallowed_hosts: ['Images.Example.org.'] })).toBe("host 'images.example.org' is in disallowed_hosts");
    expect(await reason('http://images.example.org./', { disallowed_hosts: ['images.example.org'] })).toBe("host 'images.example.org' is in disallowed_hosts");
    expect(await reason('http://images.example.org/', { allowed_hosts: ['images.example.org'], disallowed_hosts: ['images.example.org'] })).toBe('accepted');
    expect(await reason('http://[0:0::1]/', { disallowed_hosts: ['::1'], allow_local_addresses: true })).toBe("host '::1' is in disallowed_hosts");
  });

  it('beyond Glance: a name resolving to an address in disallowed_hosts is refused too', async () => {
    expect(await reason('http://mirror.example.org/', { disallowed_hosts: ['198.51.100.2'] })).toBe(
      "host 'mirror.example.org' resolves to an address in disallowed_hosts",
    );
  });

  it('ports: checked only when explicit; allow list wins; deny list; out of range', async () => {
    expect(await reason('http://images.example.org:8080/')).toBe('port 8080 is not in allowed_ports');
    expect(await reason('http://images.example.org:8080/', { allowed_ports: [8080] })).toBe('accepted');
    expect(await reason('http://images.example.org:80/', { allowed_ports: [], disallowed_ports: [80] })).toBe('port 80 is in disallowed_ports');
    expect(await reason('http://images.example.org/', { allowed_ports: [], disallowed_ports: [80] })).toBe('accepted');
    expect(await reason('http://images.example.org:8484/', { allowed_ports: [8484], disallowed_ports: [8484] })).toBe('accepted');
    expect(await reason('http://images.example.org:/', { allowed_ports: [1] })).toBe('accepted');
    expect(await reason('http://images.example.org:0/', { allowed_ports: [] })).toBe('port 0 is out of range');
  });

  it('IP encodings a resolver would read as 127.0.0.1 are refused before any lookup', async () => {
    const r = dns({});
    const o = { allowed_ports: [], disallowed_hosts: ['127.0.0.1'], allow_local_addresses: true };
    for (const uri of [
      'http://2130706433:80/',
      'http://017700000001/',
      'http://0177.0.0.01/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://10.1/',
      'http://127.0.0.1./',
    ]) {
      expect(await reason(uri, o, r), uri).toMatch(/bare number|canonical dotted-quad/);
    }
    for (const uri of ['http://0x7f000001/', 'http://0x7f.0.0.1/', 'http://１２７.０.０.１/'])
      expect(await reason(uri, o, r), uri).toBe('its host is an encoded IPv4 address');
    expect(await reason('http://127%2e0%2e0%2e1/', o, r)).toMatch(/encoded IPv4|canonical form/);
    expect(await reason('http://ex%61mple.org/', o, r)).toBe('its host is not in canonical form');
    expect(await reason('http://127.0.0.1/', o, r)).toBe("host '127.0.0.1' is in disallowed_hosts");
    expect(r.asked).toEqual([]);
  });

  it('a name that does not resolve is refused (Glance asks DNS too)', async () => {
    expect(await reason('http://nowhere.example.org/')).toBe("host 'nowhere.example.org' does not resolve");
  });
});

describe('filterImportUri: node-local addresses (beyond Glance)', () => {
  it('refuses loopback, link-local, unspecified and their IPv6 spellings unless allow_local_addresses', async () => {
    const cases: Array<[string, RegExp]> = [
      ['http://127.0.0.1/', /loopback/],
      ['http://127.255.0.9/', /loopback/],
      ['http://[::1]/', /unspecified or loopback/],
      ['http://169.254.169.254/latest/meta-data/', /link-local/],
      ['http://[fe80::1]/', /link-local/],
      ['http://0.0.0.0/', /unspecified/],
      ['http://[::]/', /unspecified/],
      ['http://[::ffff:127.0.0.1]/', /loopback/],
      ['http://[::ffff:a9fe:a9fe]/', /link-local/],
      ['http://[64:ff9b::7f00:1]/', /loopback/],
      ['http://[::127.0.0.1]/', /unspecified or loopback/],
      ['http://224.0.0.1/', /multicast/],
    ];
    for (const [uri, kind] of cases) {
      expect(await reason(uri), uri).toMatch(kind);
      expect(await reason(uri, { allow_local_addresses: true }), uri).toBe('accepted');
    }
  });

  it('a name resolving to a local address is refused, even when only one of its addresses is', async () => {
    expect(await reason('http://localhost/', {}, dns({ localhost: ['::1', '127.0.0.1'] }))).toMatch(
      /'localhost' is or resolves to a node-local address \(unspecified or loopback\)/,
    );
    expect(await reason('http://sneaky.example.org/')).toMatch(/loopback/);
  });

  it('private ranges stay reachable (mirrors live there); operators refuse them by listing them', async () => {
    for (const a of ['10.0.0.1', '192.168.1.10', '172.16.0.1', 'fd00::1', '203.0.113.1', '2001:db8::1']) expect(nodeLocalKind(a), a).toBeUndefined();
  });
});

describe('redactUri', () => {
  it('hides the password of user-info and leaves other URIs alone', () => {
    expect(redactUri('http://me:secret@images.example.org/x')).toBe('http://me:***@images.example.org/x');
    expect(redactUri('http://images.example.org/x')).toBe('http://images.example.org/x');
    expect(redactUri('not a url')).toBe('not a url');
  });
});
