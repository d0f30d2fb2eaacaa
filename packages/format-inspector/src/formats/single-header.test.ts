import { describe, expect, it } from 'vitest';
import { create, inspectBoth, isoBytes, luksBytes, MiB, qemuInfo, workDir, writeBytes } from '../corpus.fixture.js';

describe('vdi, qed, iso, luks', () => {
  const dir = workDir();

  it('detects vdi with the size qemu reports', async () => {
    const file = create(dir, 'disk.vdi', 'vdi', '32M');
    const r = await inspectBoth(file, { declaredFormat: 'vdi' });
    expect(r).toMatchObject({ format: 'vdi', safe: true, virtualSize: qemuInfo(file)['virtual-size'] });
  });

  it('detects qed and bans it', async () => {
    const file = create(dir, 'disk.qed', 'qed', '32M');
    expect(await inspectBoth(file)).toMatchObject({ format: 'qed', virtualSize: 32 * MiB, safe: false, reason: 'unsafe: QED images are not allowed' });
  });

  it('detects an ISO 9660 image and its volume size', async () => {
    const file = writeBytes(dir, 'cd.iso', isoBytes(64));
    expect(await inspectBoth(file, { declaredFormat: 'iso' })).toMatchObject({ format: 'iso', virtualSize: 64 * 2048, safe: true, formatMatches: true });
  });

  it('calls an ISO cut inside its volume descriptor truncated', async () => {
    const file = writeBytes(dir, 'cut.iso', isoBytes(64).subarray(0, 33 * 1024));
    expect(await inspectBoth(file)).toMatchObject({ format: 'iso', safe: false, reason: 'unsafe: iso volume descriptor is truncated (1024 of 2048 bytes)' });
  });

  it('detects LUKS 1 (size after the header) and refuses other versions', async () => {
    const v1 = writeBytes(dir, 'v1.luks', luksBytes(1, 4096, 4 * MiB));
    expect(await inspectBoth(v1)).toMatchObject({ format: 'luks', virtualSize: 2 * MiB, safe: true });
    const v2 = writeBytes(dir, 'v2.luks', luksBytes(2));
    expect(await inspectBoth(v2)).toMatchObject({ format: 'luks', safe: false, reason: 'unsafe: LUKS version 2 is not supported' });
  });
});
