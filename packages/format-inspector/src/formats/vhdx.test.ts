import { readFileSync, truncateSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { create, inspectBoth, MiB, patch, qemuInfo, workDir } from '../corpus.fixture.js';

const REGIONS = 192 * 1024;

/** Offset of the metadata region in a qemu-img VHDX (found from its region table). */
function metadataOffset(file: string): number {
  const b = readFileSync(file);
  for (let i = 0; i < b.readUInt32LE(REGIONS + 8); i++) {
    const e = REGIONS + 16 + 32 * i;
    if (b.readUInt32LE(e) === 0x8b7ca206) return Number(b.readBigUInt64LE(e + 16));
  }
  throw new Error('no metadata region');
}

describe('vhdx', () => {
  const dir = workDir();
  const fresh = (name: string) => create(dir, name, 'vhdx', '64M');

  it('follows region table and metadata to the virtual size qemu reports', async () => {
    const file = fresh('plain.vhdx');
    const r = await inspectBoth(file, { declaredFormat: 'vhdx' });
    expect(r).toMatchObject({ format: 'vhdx', safe: true, virtualSize: 64 * MiB });
    expect(r.virtualSize).toBe(qemuInfo(file)['virtual-size']);
  });

  it('calls malformed tables unsafe instead of falling back to raw', async () => {
    const cases: Array<[string, (f: string) => void, string]> = [
      ['signature', (f) => patch(f, REGIONS, Buffer.from('nope')), 'region table has no signature'],
      ['count', (f) => patch(f, REGIONS + 8, Buffer.from([0xff, 0xff, 0, 0])), 'region table claims 65535 entries'],
      ['backwards', (f) => patch(f, REGIONS + 16 + 32 + 16, Buffer.from([0, 0, 1, 0, 0, 0, 0, 0])), 'metadata region offset 65536 is not'],
      ['far', (f) => patch(f, REGIONS + 16 + 32 + 16, Buffer.from('00000000000000ff', 'hex')), 'is not a MiB-aligned offset'],
      ['meta-signature', (f) => patch(f, metadataOffset(f), Buffer.from('garbage!')), 'metadata table has no signature'],
      ['item', (f) => patch(f, metadataOffset(f) + 32 + 32 + 16, Buffer.from([0, 0, 0, 0])), 'is not a u64 after the metadata table'],
      ['truncated', (f) => truncateSync(f, 200 * 1024), 'vhdx region table is truncated (8192 of 65536 bytes)'],
    ];
    for (const [name, mutate, reason] of cases) {
      const file = fresh(`${name}.vhdx`);
      mutate(file);
      const r = await inspectBoth(file);
      expect(r.format, name).toBe('vhdx');
      expect(r.reason, name).toContain(reason);
    }
  });
});
