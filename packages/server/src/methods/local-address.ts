import { BlockList, isIPv4, isIPv6 } from 'node:net';

/**
 * Addresses that lead back into the node itself (or its link), which a user-supplied download URL
 * must not reach: the loopback, the unspecified "this host" ranges that Linux connects to locally,
 * link-local (where cloud metadata services live) and multicast/reserved. Private RFC 1918 and ULA
 * ranges are not here: image mirrors often live there, and operators refuse them with
 * `disallowed_hosts`.
 */
const V4: ReadonlyArray<readonly [kind: string, net: string, prefix: number]> = [
  ['unspecified', '0.0.0.0', 8],
  ['loopback', '127.0.0.0', 8],
  ['link-local', '169.254.0.0', 16],
  ['multicast or reserved', '224.0.0.0', 3],
];

const V6: ReadonlyArray<readonly [kind: string, net: string, prefix: number]> = [
  // ::/96 holds ::, ::1 and the deprecated IPv4-compatible form, which nothing legitimate uses.
  ['unspecified or loopback', '::', 96],
  ['link-local', 'fe80::', 10],
  ['multicast', 'ff00::', 8],
];

// IPv4 ranges are refused in every IPv6 spelling that reaches them: IPv4-mapped (the kernel
// connects those over IPv4) and the NAT64 well-known prefix.
const V4_IN_V6 = ['::ffff:', '64:ff9b::'];

const lists = new Map<string, BlockList>();
function listFor(kind: string): BlockList {
  let list = lists.get(kind);
  if (!list) lists.set(kind, (list = new BlockList()));
  return list;
}
for (const [kind, net, prefix] of V4) {
  listFor(kind).addSubnet(net, prefix, 'ipv4');
  for (const p of V4_IN_V6) listFor(kind).addSubnet(`${p}${net}`, 96 + prefix, 'ipv6');
}
for (const [kind, net, prefix] of V6) listFor(kind).addSubnet(net, prefix, 'ipv6');

/** What kind of node-local address `address` is, or undefined for one a download may use. */
export function nodeLocalKind(address: string): string | undefined {
  const type = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (!type) return 'not an IP address';
  for (const [kind, list] of lists) if (list.check(address, type)) return kind;
  return undefined;
}

/** An IP literal in the form URLs and our lists compare on (IPv6 compressed, lower case); other strings unchanged. */
export function canonicalIp(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIPv6(bare)) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  return bare;
}
