/**
 * Reading numbers out of headers an attacker wrote. Every reader tolerates a short buffer (it answers
 * 0), so a probe that forgot a length check degrades to "no match" instead of throwing; sizes come
 * back as bigint so a lying 64-bit field can be judged before it becomes a JavaScript number.
 */

const fits = (b: Buffer, at: number, n: number) => at >= 0 && at + n <= b.length;

export const u16le = (b: Buffer, at: number) => (fits(b, at, 2) ? b.readUInt16LE(at) : 0);
export const u16be = (b: Buffer, at: number) => (fits(b, at, 2) ? b.readUInt16BE(at) : 0);
export const u32le = (b: Buffer, at: number) => (fits(b, at, 4) ? b.readUInt32LE(at) : 0);
export const u32be = (b: Buffer, at: number) => (fits(b, at, 4) ? b.readUInt32BE(at) : 0);
export const u64le = (b: Buffer, at: number) => (fits(b, at, 8) ? b.readBigUInt64LE(at) : 0n);
export const u64be = (b: Buffer, at: number) => (fits(b, at, 8) ? b.readBigUInt64BE(at) : 0n);

const magics = new Map<string, Buffer>();

/** True when `b` holds `magic` (bytes, or a latin1 string) at `at`. */
export function hasBytes(b: Buffer, at: number, magic: Buffer | string): boolean {
  let m = typeof magic === 'string' ? magics.get(magic) : magic;
  if (!m) magics.set(magic as string, (m = Buffer.from(magic as string, 'latin1')));
  return fits(b, at, m.length) && b.subarray(at, at + m.length).equals(m);
}

/** A bigint as a number, or undefined when it cannot be represented exactly. */
export function toSafeNumber(v: bigint): number | undefined {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

/** The 16 bytes of a Microsoft GUID as stored on disk: the first three fields little-endian. */
export function guidBytes(guid: string): Buffer {
  const hex = guid.replace(/-/g, '');
  const b = Buffer.from(hex, 'hex');
  b.subarray(0, 4).reverse();
  b.subarray(4, 6).reverse();
  b.subarray(6, 8).reverse();
  return b;
}

/** Printable ASCII or whitespace only: what a text VMDK descriptor is made of. */
export function isText(b: Buffer): boolean {
  for (const c of b) if (!((c >= 0x20 && c <= 0x7e) || (c >= 0x09 && c <= 0x0d))) return false;
  return true;
}

/** A byte count for people: 1.5 GiB, 8.0 EiB. */
export function formatBytes(n: number | bigint): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB'];
  let v = Number(n);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}
