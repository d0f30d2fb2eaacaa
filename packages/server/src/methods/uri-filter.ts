import { lookup } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';
import { canonicalIp, nodeLocalKind } from './local-address.js';

/** `[import_filtering_opts]` as the filter reads it. */
export interface FilterOptions {
  allowed_schemes: readonly string[];
  disallowed_schemes: readonly string[];
  allowed_hosts: readonly string[];
  disallowed_hosts: readonly string[];
  allowed_ports: readonly number[];
  disallowed_ports: readonly number[];
  allow_local_addresses: boolean;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name → addresses; injectable so tests can play DNS without a network. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, order: 'verbatim' })) as ResolvedAddress[];

export type FilterVerdict = { ok: true; url: URL; host: string; pinned: ResolvedAddress } | { ok: false; reason: string };

const refuse = (reason: string): FilterVerdict => ({ ok: false, reason });

// The authority as written, before WHATWG parsing rewrites it: `http://2130706433/` becomes
// `127.0.0.1` there, so encoded hosts and explicit ports can only be seen here.
const AUTHORITY = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i;
const DOTTED_QUAD = /^(?:(?:0|[1-9]\d{0,2})\.){3}(?:0|[1-9]\d{0,2})$/;

function splitAuthority(authority: string): { host: string; port?: number } | string {
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const close = hostPort.startsWith('[') ? hostPort.indexOf(']') + 1 : 0;
  const colon = hostPort.indexOf(':', close);
  const host = colon < 0 ? hostPort : hostPort.slice(0, colon);
  const port = colon < 0 ? '' : hostPort.slice(colon + 1);
  if (hostPort.startsWith('[') && close === 0) return 'its IPv6 host has no closing bracket';
  if (port && !/^\d{1,5}$/.test(port)) return `its port '${port}' is not a number`;
  // An empty port (`host:`) is no explicit port, as urllib reads it.
  return port ? { host, port: Number(port) } : { host };
}

/**
 * Glance master's host normalisation: canonical IP literals; numbers and odd dotted forms that a
 * resolver would read as IPv4 (`2130706433`, `127.1`, `0177.0.0.01`, `0x7f.1`) refused; any other
 * host must be what the URL parser makes of it. Returns the host to compare, or a reason.
 */
function normaliseHost(raw: string, parsed: string): { host: string } | string {
  const lower = raw.toLowerCase();
  if (!lower) return 'it names no host';
  if (lower.startsWith('[')) return isIPv6(lower.slice(1, -1)) ? { host: canonicalIp(parsed) } : 'its host is not a valid IPv6 address';
  if (/^\d+$/.test(lower)) return 'its host is a bare number (an encoded IPv4 address)';
  if (/^[\d.]+$/.test(lower)) return DOTTED_QUAD.test(lower) && isIPv4(lower) ? { host: lower } : 'its host is not a canonical dotted-quad IPv4 address';
  if (isIPv4(parsed)) return 'its host is an encoded IPv4 address';
  // Non-ASCII names become punycode; any other rewrite (percent-escapes) hides what the host is.
  if (/^[\x21-\x7e]+$/.test(lower) && lower !== parsed) return 'its host is not in canonical form';
  return { host: parsed.replace(/\.$/, '') };
}

/** An allow list, when set, wins over the deny list of the same kind (Glance ignores the latter). */
function listed<T>(value: T, allow: readonly T[], deny: readonly T[], what: string, option: string): string | undefined {
  if (allow.length) return allow.includes(value) ? undefined : `${what} is not in allowed_${option}`;
  return deny.includes(value) ? `${what} is in disallowed_${option}` : undefined;
}

/**
 * Glance's `validate_import_uri` (master, with its SSRF fixes), then beyond Glance: the host is
 * resolved once, every address it resolves to must be acceptable (no node-local address unless
 * `allow_local_addresses`, none listed in `disallowed_hosts`), and the first is returned so the
 * caller connects to exactly what was checked.
 */
export async function filterImportUri(uri: string, o: FilterOptions, resolve: Resolver = systemResolver): Promise<FilterVerdict> {
  if (!uri) return refuse('it is empty');
  if (/[\s\\\x00-\x1f\x7f]/.test(uri)) return refuse('it contains whitespace, control characters or backslashes');
  const m = AUTHORITY.exec(uri);
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return refuse('it is not a valid URL');
  }
  if (!m) return refuse('it has no scheme://host part');
  const scheme = m[1]!.toLowerCase();
  const lower = (l: readonly string[]) => l.map((s) => s.toLowerCase());
  const bad = listed(scheme, lower(o.allowed_schemes), lower(o.disallowed_schemes), `scheme '${scheme}'`, 'schemes');
  if (bad) return refuse(bad);
  const authority = splitAuthority(m[2]!);
  if (typeof authority === 'string') return refuse(authority);
  const norm = normaliseHost(authority.host, url.hostname);
  if (typeof norm === 'string') return refuse(norm);
  const hosts = { allow: o.allowed_hosts.map(canonicalHost), deny: o.disallowed_hosts.map(canonicalHost) };
  const badHost = listed(norm.host, hosts.allow, hosts.deny, `host '${norm.host}'`, 'hosts');
  if (badHost) return refuse(badHost);
  if (authority.port !== undefined) {
    if (authority.port < 1 || authority.port > 65535) return refuse(`port ${authority.port} is out of range`);
    const badPort = listed(authority.port, o.allowed_ports, o.disallowed_ports, `port ${authority.port}`, 'ports');
    if (badPort) return refuse(badPort);
  }
  if (scheme !== 'http' && scheme !== 'https') return refuse(`scheme '${scheme}' cannot be downloaded (only http and https)`);
  return checkAddresses(url, norm.host, o, resolve, hosts.allow.length ? [] : hosts.deny);
}

async function checkAddresses(url: URL, host: string, o: FilterOptions, resolve: Resolver, deny: string[]): Promise<FilterVerdict> {
  let addresses: ResolvedAddress[];
  if (isIPv4(host) || isIPv6(host)) addresses = [{ address: host, family: isIPv4(host) ? 4 : 6 }];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      return refuse(`host '${host}' does not resolve`);
    }
    if (!addresses.length) return refuse(`host '${host}' does not resolve`);
  }
  for (const a of addresses) {
    const address = canonicalIp(a.address);
    const kind = o.allow_local_addresses ? undefined : nodeLocalKind(address);
    if (kind) return refuse(`host '${host}' is or resolves to a node-local address (${kind}), which downloads may not reach`);
    if (deny.includes(address)) return refuse(`host '${host}' resolves to an address in disallowed_hosts`);
  }
  return { ok: true, url, host: url.hostname.replace(/^\[|\]$/g, ''), pinned: addresses[0]! };
}

/** List entries compare like hosts: IPv6 literals canonical, names lower case without a final dot. */
function canonicalHost(entry: string): string {
  return canonicalIp(entry.trim().toLowerCase()).replace(/\.$/, '');
}

/** The URI for messages and logs, without a password in its user-info. */
export function redactUri(uri: string): string {
  try {
    const url = new URL(uri);
    if (!url.password) return uri;
    url.password = '***';
    return url.href;
  } catch {
    return uri;
  }
}
