import { describe, expect, it } from 'vitest';
import { gptDisk, inspectBoth, isoBytes, MiB, workDir, writeBytes, writeMbr } from '../corpus.fixture.js';

describe('gpt / mbr', () => {
  const dir = workDir();

  it('calls a GPT disk gpt, matching a raw declaration', async () => {
    const file = writeBytes(dir, 'gpt.img', gptDisk());
    expect(await inspectBoth(file, { declaredFormat: 'raw' })).toMatchObject({
      format: 'gpt',
      diskFormat: 'raw',
      virtualSize: MiB,
      safe: true,
      formatMatches: true,
    });
  });

  it('takes a hybrid ISO (with an MBR) for an ISO, and refuses it declared as something else', async () => {
    const file = writeBytes(dir, 'hybrid.iso', writeMbr(isoBytes(64), [{ boot: 0x80, type: 0x17, lba: 0, sectors: 256 }]));
    expect(await inspectBoth(file, { declaredFormat: 'iso' })).toMatchObject({ format: 'iso', safe: true });
    const r = await inspectBoth(file, { declaredFormat: 'qcow2' });
    expect(r).toMatchObject({ safe: false, formatMatches: false, reason: 'unsafe: disk_format is qcow2, but the data is iso' });
  });

  it('checks MBR partition entries, and lets operators make the check non-fatal', async () => {
    const cases: Array<[Parameters<typeof writeMbr>[1], string]> = [
      [[{ boot: 0x42, type: 0x83 }], 'MBR partition 0 has an invalid boot flag'],
      [[{ type: 0xee, chs: [0, 1, 0], lba: 1 }], 'GPT protective MBR has an invalid start CHS'],
      [[{ type: 0xee, lba: 2 }], 'GPT protective MBR does not start at LBA 1'],
      [[{ type: 0xee, lba: 1 }, { type: 0x83 }], 'GPT protective MBR defines extra partitions'],
      [[], 'MBR defines no partitions'],
    ];
    for (const [i, [entries, reason]] of cases.entries()) {
      const file = writeBytes(dir, `mbr-${i}.img`, writeMbr(Buffer.alloc(MiB), entries));
      expect((await inspectBoth(file)).reason).toBe(`unsafe: ${reason}`);
      const lenient = await inspectBoth(file, { gptSafetyChecksNonfatal: ['mbr'] });
      expect(lenient.safe).toBe(true);
      expect(lenient.checks[0]).toMatchObject({ name: 'mbr', passed: false, nonfatal: true });
    }
  });

  it('leaves a FAT boot sector alone (same signature, not a partition table)', async () => {
    const fat = writeMbr(Buffer.alloc(MiB), []);
    fat[0x10] = 2;
    fat[0x15] = 0xf8;
    expect(await inspectBoth(writeBytes(dir, 'fat.img', fat))).toMatchObject({ format: 'raw', safe: true });
  });
});
