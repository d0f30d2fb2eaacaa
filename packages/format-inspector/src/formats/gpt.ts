import { u16le, u32le } from '../bytes.js';
import { fail, pass, type Check, type Probe, type ProbeSpec } from '../probe.js';

/*
 * A partitioned raw disk: the MBR boot signature 0xAA55 @510 (GPT disks carry a protective MBR), and
 * not a FAT boot sector (2 FATs @0x10 and media byte 0xF8 @0x15), which has the same signature.
 * Named `gpt` as in oslo; Glance treats it as raw. The check mirrors oslo's `mbr` check on the four
 * 16-byte partition entries from @446 (boot flag, CHS start, type, CHS end, start LBA, sectors).
 */
const MBR = 512;
const ENTRIES = 446;
const PROTECTIVE = 0xee;

function mbrCheck(mbr: Buffer): Check {
  const used: number[] = [];
  let protective = false;
  for (let i = 0; i < 4; i++) {
    const e = mbr.subarray(ENTRIES + 16 * i, ENTRIES + 16 * i + 16);
    if (e[0] !== 0x00 && e[0] !== 0x80) return fail('mbr', `MBR partition ${i} has an invalid boot flag`);
    const type = e[4]!;
    if (type !== 0) used.push(i);
    if (type !== PROTECTIVE) continue;
    protective = true;
    if (e[1] !== 0x00 || e[2] !== 0x02 || e[3] !== 0x00) return fail('mbr', 'GPT protective MBR has an invalid start CHS');
    if (u32le(e, 8) !== 1) return fail('mbr', 'GPT protective MBR does not start at LBA 1');
  }
  if (protective && (used.length !== 1 || used[0] !== 0)) return fail('mbr', 'GPT protective MBR defines extra partitions');
  if (used.length === 0) return fail('mbr', 'MBR defines no partitions');
  return pass('mbr');
}

function* run(): Probe {
  const [mbr = Buffer.alloc(0)] = yield [{ at: 0, length: MBR }];
  if (mbr.length < MBR || u16le(mbr, 510) !== 0xaa55) return null;
  if (mbr[0x10] === 2 && mbr[0x15] === 0xf8) return null;
  return { format: 'gpt', checks: [mbrCheck(mbr)] };
}

export const gpt: ProbeSpec = { name: 'gpt', run };
