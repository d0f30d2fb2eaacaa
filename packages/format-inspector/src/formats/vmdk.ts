import { hasBytes, isText, u32le, u64le } from '../bytes.js';
import { fail, malformed, pass, sizeField, truncated, type Check, type Finding, type Probe, type ProbeSpec } from '../probe.js';
import { descriptorText, parseDescriptor } from './vmdk-descriptor.js';

/*
 * VMware VMDK, two shapes qemu opens:
 * - a hosted sparse extent (little-endian): `KDMV` @0, version @4, capacity in sectors u64 @12,
 *   descriptor sector u64 @28 and length in sectors u64 @36, grain directory sector u64 @56; the
 *   embedded descriptor must sit at sector 1 (as qemu requires) and is read up to 1 MiB - 1. A grain
 *   directory "at the end" means a footer (the last 1536 bytes: footer marker, footer, end-of-stream
 *   marker) overrides the header, so the two must agree;
 * - a text descriptor file. Its extents are always other files, which is the CVE-2022-47951 attack
 *   (a descriptor naming /etc/passwd, or a sibling image in staging), so beyond oslo it is refused
 *   whatever its createType.
 */
const HEADER = 512;
const SPARSE_HEADER = 64;
const DESC_OFFSET = 0x200n;
const DESC_MAX = (1 << 20) - 1;
const GD_AT_END = 0xffffffffffffffffn;
const TAIL = 1536;
const MARKER_EOS = 0;
const MARKER_FOOTER = 3;

const zeros = (b: Buffer) => b.every((x) => x === 0);

function footerCheck(header: Buffer, tail: Buffer): Check {
  if (tail.length < TAIL) return fail('footer', 'vmdk header says a footer follows the data, but the file is too short to hold one');
  const footer = tail.subarray(512, 1024);
  const sameAt = (at: number, n: number) => header.subarray(at, at + n).equals(footer.subarray(at, at + n));
  if (!sameAt(0, 4)) return fail('footer', 'vmdk footer and header signatures differ');
  if (!sameAt(4, 4)) return fail('footer', 'vmdk footer and header versions differ');
  if (!sameAt(28, 16)) return fail('footer', 'vmdk footer names a different descriptor than the header');
  if (u64le(footer, 56) === GD_AT_END) return fail('footer', 'vmdk footer points to yet another footer');
  const marker = (b: Buffer, type: number, value: bigint | undefined) =>
    (value === undefined || u64le(b, 0) === value) && u32le(b, 8) === 0 && u32le(b, 12) === type && zeros(b.subarray(16, 512));
  if (!marker(tail.subarray(0, 512), MARKER_FOOTER, undefined)) return fail('footer', 'vmdk footer marker is invalid');
  if (!marker(tail.subarray(1024, 1536), MARKER_EOS, 0n)) return fail('footer', 'vmdk end-of-stream marker is invalid');
  return pass('footer');
}

function* sparse(h: Buffer): Probe {
  if (h.length < SPARSE_HEADER) return truncated('vmdk', h.length, SPARSE_HEADER);
  const version = u32le(h, 4);
  if (version < 1 || version > 3) return malformed('vmdk', `version ${version} is not supported`);
  if (u64le(h, 28) * 512n !== DESC_OFFSET) return malformed('vmdk', 'embedded descriptor is not at sector 1');
  const descSectors = u64le(h, 36);
  const descLength = descSectors * 512n >= BigInt(DESC_MAX) ? DESC_MAX : Number(descSectors) * 512;
  const hasFooter = u64le(h, 56) === GD_AT_END;
  const [raw = Buffer.alloc(0), tail = Buffer.alloc(0)] = yield [{ at: Number(DESC_OFFSET), length: descLength }, ...(hasFooter ? [{ tail: TAIL }] : [])];
  if (raw.length < descLength) return truncated('vmdk', raw.length, descLength, 'descriptor');
  const text = descriptorText(raw);
  const size = sizeField('vmdk', u64le(h, 12) * 512n);
  const checks: Check[] = [];
  if (text === undefined || text.trim() === '')
    checks.push(fail('descriptor', text === undefined ? 'vmdk descriptor is not ASCII text' : 'vmdk has no descriptor'));
  const d = text ? parseDescriptor(text) : undefined;
  if (d) checks.push(d.check);
  if (hasFooter) checks.push(footerCheck(h, tail));
  checks.push(size.check);
  return { format: 'vmdk', virtualSize: size.virtualSize, checks, createType: d?.createType ?? null };
}

function* descriptorFile(): Probe {
  const [raw = Buffer.alloc(0)] = yield [{ at: 0, length: DESC_MAX }];
  const text = descriptorText(raw);
  if (text === undefined || text.length < raw.length) return null;
  const d = parseDescriptor(text);
  if (d.createType === undefined) return null;
  const size = sizeField('vmdk', d.sectors * 512n);
  const files = d.extentFiles
    .slice(0, 3)
    .map((f) => `'${f.slice(0, 80)}'`)
    .join(', ');
  const external = fail('extents', `vmdk is a descriptor file whose extents are other files${files ? ` (${files})` : ''}`);
  return { format: 'vmdk', virtualSize: size.virtualSize, checks: [d.check, external, size.check], createType: d.createType };
}

function* run(): Probe {
  const [h = Buffer.alloc(0)] = yield [{ at: 0, length: HEADER }];
  if (hasBytes(h, 0, 'KDMV')) return yield* sparse(h);
  if (h.length === 0 || !isText(h)) return null;
  return yield* descriptorFile();
}

export const vmdk: ProbeSpec = { name: 'vmdk', run };
