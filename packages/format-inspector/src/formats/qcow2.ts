import { hasBytes, u32be, u64be } from '../bytes.js';
import { fail, pass, sizeField, truncated, type Check, type Probe, type ProbeSpec } from '../probe.js';

/*
 * QEMU qcow (big-endian): magic `QFI\xfb` @0, version @4, backing file offset u64 @8, cluster bits
 * @20, virtual size u64 @24 (the same offset in v1), and in v3 the incompatible-feature bits u64 @72.
 * Known incompatible bits: 0 dirty, 1 corrupt, 2 external data file, 3 compression type; bit 4
 * (extended L2) and above are refused as unknown, as oslo does.
 */
const HEADER = 512;
const DATA_FILE_BIT = 1n << 2n;
const KNOWN_FEATURES = (1n << 4n) - 1n;

function checks(h: Buffer, version: number): Check[] {
  const out: Check[] = [u64be(h, 8) === 0n ? pass('backing_file') : fail('backing_file', 'qcow2 has a backing file')];
  // v2 has no feature field: bytes 72.. are header extensions there, not flags.
  const features = version === 3 ? u64be(h, 72) : 0n;
  out.push(features & DATA_FILE_BIT ? fail('data_file', 'qcow2 has an external data file (data_file)') : pass('data_file'));
  if (version !== 2 && version !== 3) {
    out.push(fail('unknown_features', version === 1 ? 'qcow version 1 is not supported' : `qcow2 version ${version} is not supported`));
  } else {
    out.push(features & ~KNOWN_FEATURES ? fail('unknown_features', 'qcow2 has unknown incompatible features') : pass('unknown_features'));
  }
  if (version !== 1) {
    const bits = u32be(h, 20);
    if (bits < 9 || bits > 21) out.push(fail('header', `qcow2 cluster size 2^${bits} is outside 512 B to 2 MiB`));
  }
  return out;
}

function* run(): Probe {
  const [h = Buffer.alloc(0)] = yield [{ at: 0, length: HEADER }];
  if (!hasBytes(h, 0, 'QFI\xfb')) return null;
  if (h.length < HEADER) return truncated('qcow2', h.length, HEADER);
  const version = u32be(h, 4);
  const size = sizeField('qcow2', u64be(h, 24));
  return { format: 'qcow2', virtualSize: size.virtualSize, checks: [...checks(h, version), size.check] };
}

export const qcow2: ProbeSpec = { name: 'qcow2', run };
