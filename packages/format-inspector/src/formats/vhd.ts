import { hasBytes, u32be, u64be } from '../bytes.js';
import { fail, pass, sizeField, truncated, type Finding, type Probe, type ProbeSpec } from '../probe.js';

/*
 * Microsoft VHD ("vpc" in qemu): a big-endian 512-byte footer starting `conectix`, size u64 @40,
 * disk type u32 @60 (2 fixed, 3 dynamic, 4 differencing). Dynamic disks carry a copy of the footer
 * at the start; fixed disks have it only at the end, so beyond oslo (which reads only the start,
 * and calls fixed VHDs raw) the last 512 bytes are read too.
 */
const FOOTER = 512;
const FIXED = 2;
const DIFFERENCING = 4;

function finding(footer: Buffer): Finding {
  const size = sizeField('vhd', u64be(footer, 40));
  const parent = u32be(footer, 60) === DIFFERENCING ? fail('differencing', 'vhd is a differencing disk that names a parent file') : pass('differencing');
  return { format: 'vhd', virtualSize: size.virtualSize, checks: [parent, size.check] };
}

function* run(): Probe {
  const [h = Buffer.alloc(0)] = yield [{ at: 0, length: FOOTER }];
  if (hasBytes(h, 0, 'conectix')) return h.length < FOOTER ? truncated('vhd', h.length, FOOTER, 'footer') : finding(h);
  const [t = Buffer.alloc(0)] = yield [{ tail: FOOTER }];
  if (t.length < FOOTER || !hasBytes(t, 0, 'conectix') || u32be(t, 60) !== FIXED) return null;
  return finding(t);
}

export const vhd: ProbeSpec = { name: 'vhd', run };
