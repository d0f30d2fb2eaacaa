import { hasBytes, u16be, u16le, u32be, u32le, u64le } from '../bytes.js';
import { fail, pass, sizeField, truncated, type Probe, type ProbeSpec } from '../probe.js';

/*
 * Formats identified by one header at a fixed place, with at most one size field and no chain of
 * offsets to follow.
 */

/* VirtualBox VDI (little-endian): signature 0xbeda107f @0x40, disk size u64 @0x170. */
function* vdiProbe(): Probe {
  const [h = Buffer.alloc(0)] = yield [{ at: 0, length: 512 }];
  if (u32le(h, 0x40) !== 0xbeda107f) return null;
  if (h.length < 512) return truncated('vdi', h.length, 512);
  const size = sizeField('vdi', u64le(h, 0x170));
  return { format: 'vdi', virtualSize: size.virtualSize, checks: [size.check] };
}

/* QED (little-endian): magic `QED\0` @0, image size u64 @48. Recognised only to be refused. */
function* qedProbe(): Probe {
  const [h = Buffer.alloc(0)] = yield [{ at: 0, length: 512 }];
  if (!hasBytes(h, 0, 'QED\0')) return null;
  const banned = fail('banned', 'QED images are not allowed');
  if (h.length < 56) return { format: 'qed', checks: [banned] };
  const size = sizeField('qed', u64le(h, 48));
  return { format: 'qed', virtualSize: size.virtualSize, checks: [banned, size.check] };
}

/*
 * ISO 9660 / UDF: the first 16 sectors of 2 KiB are free for boot code (hybrid ISOs put an MBR or a
 * GPT there), and the volume descriptor at 32 KiB says `CD001`, `NSR02` or `NSR03` at byte 1. A
 * primary volume descriptor (type 1) gives the size: volume space size (u32 LE @80) times logical
 * block size (u16 LE @128); other descriptors give none, so the data's size stands in.
 */
const ISO_DESCRIPTOR = 32 * 1024;
const ISO_IDS = ['CD001', 'NSR02', 'NSR03'];

function* isoProbe(): Probe {
  const [d = Buffer.alloc(0)] = yield [{ at: ISO_DESCRIPTOR, length: 2048 }];
  if (!ISO_IDS.some((id) => hasBytes(d, 1, id))) return null;
  if (d.length < 2048) return truncated('iso', d.length, 2048, 'volume descriptor');
  if (d[0] !== 1) return { format: 'iso', checks: [] };
  const size = sizeField('iso', BigInt(u32le(d, 80)) * BigInt(u16le(d, 128)));
  return { format: 'iso', virtualSize: size.virtualSize, checks: [size.check] };
}

/*
 * LUKS (big-endian): magic `LUKS\xba\xbe` @0, version u16 @6; in version 1 the 592-byte header
 * gives the payload offset in sectors (u32 @104). The virtual size is the data after the header.
 * Only version 1 is accepted, as in oslo; the encrypted payload is not opened.
 */
function* luksProbe(): Probe {
  const [h = Buffer.alloc(0)] = yield [{ at: 0, length: 592 }];
  if (!hasBytes(h, 0, 'LUKS\xba\xbe')) return null;
  if (h.length < 592) return truncated('luks', h.length, 592);
  const version = u16be(h, 6);
  if (version !== 1) return { format: 'luks', checks: [fail('version', `LUKS version ${version} is not supported`)] };
  return { format: 'luks', headerBytes: u32be(h, 104) * 512, checks: [pass('version')] };
}

export const vdi: ProbeSpec = { name: 'vdi', run: vdiProbe };
export const qed: ProbeSpec = { name: 'qed', run: qedProbe };
export const iso: ProbeSpec = { name: 'iso', run: isoProbe };
export const luks: ProbeSpec = { name: 'luks', run: luksProbe };
