import { describe, expect, it } from 'vitest';
import { create, gptDisk, inspectBoth, MiB, patch, qemuImg, qemuInfo, workDir, writeBytes } from '../corpus.fixture.js';

describe('vhd', () => {
  const dir = workDir();

  it('detects dynamic VHDs (vpc) with the size in their footer', async () => {
    const file = create(dir, 'dynamic.vhd', 'vpc', '64M');
    const r = await inspectBoth(file, { declaredFormat: 'vhd' });
    expect(r).toMatchObject({ format: 'vhd', safe: true, formatMatches: true });
    expect(r.virtualSize).toBe(qemuInfo(file, 'vpc')['virtual-size']);
  });

  it('detects fixed VHDs by their trailing footer, which oslo calls raw', async () => {
    const file = create(dir, 'fixed.vhd', 'vpc', '8M', 'subformat=fixed');
    const r = await inspectBoth(file, { declaredFormat: 'vhd' });
    expect(r).toMatchObject({ format: 'vhd', safe: true, formatMatches: true });
    expect(r.virtualSize).toBe(qemuInfo(file, 'vpc')['virtual-size']);
  });

  it('takes a fixed VHD of a partitioned disk for a VHD, not for several formats', async () => {
    const disk = writeBytes(dir, 'disk.raw', gptDisk(8 * MiB));
    const file = `${dir}/partitioned.vhd`;
    qemuImg('convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed', disk, file);
    expect(await inspectBoth(file)).toMatchObject({ format: 'vhd', safe: true });
  });

  it('refuses a differencing VHD, which names a parent file', async () => {
    const file = create(dir, 'diff.vhd', 'vpc', '64M');
    patch(file, 60, Buffer.from([0, 0, 0, 4]));
    expect((await inspectBoth(file)).reason).toBe('unsafe: vhd is a differencing disk that names a parent file');
  });
});
