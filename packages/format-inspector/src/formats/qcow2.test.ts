import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { create, inspectBoth, MiB, patch, qemuInfo, workDir } from '../corpus.fixture.js';

describe('qcow2', () => {
  const dir = workDir();

  it('detects qemu-img qcow2 (v3 and v2) with the virtual size qemu reports', async () => {
    for (const compat of ['1.1', '0.10']) {
      const file = create(dir, `plain-${compat}.qcow2`, 'qcow2', '128M', `compat=${compat}`);
      const r = await inspectBoth(file, { declaredFormat: 'qcow2' });
      expect(r).toMatchObject({ format: 'qcow2', diskFormat: 'qcow2', safe: true, formatMatches: true });
      expect(r.virtualSize).toBe(qemuInfo(file)['virtual-size']);
      expect(r.virtualSize).toBe(128 * MiB);
    }
  });

  it('refuses a backing file', async () => {
    const base = create(dir, 'base.raw', 'raw', '16M');
    const file = create(dir, 'child.qcow2', 'qcow2', '16M', `backing_file=${base},backing_fmt=raw`);
    const r = await inspectBoth(file);
    expect(r.safe).toBe(false);
    expect(r.reason).toBe('unsafe: qcow2 has a backing file');
    expect(r.checks.find((c) => c.name === 'backing_file')).toMatchObject({ passed: false });
  });

  it('refuses an external data file', async () => {
    const data = path.join(dir, 'data.raw');
    const file = create(dir, 'datafile.qcow2', 'qcow2', '16M', `data_file=${data}`);
    const r = await inspectBoth(file);
    expect(r.safe).toBe(false);
    expect(r.reason).toContain('qcow2 has an external data file');
  });

  it('refuses unknown incompatible features and versions other than 2 and 3 (qcow v1 included)', async () => {
    const file = create(dir, 'features.qcow2', 'qcow2', '16M');
    patch(file, 72, Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x10]));
    expect((await inspectBoth(file)).reason).toBe('unsafe: qcow2 has unknown incompatible features');
    const v1 = create(dir, 'v1.qcow2', 'qcow2', '16M');
    patch(v1, 4, Buffer.from([0, 0, 0, 1]));
    expect((await inspectBoth(v1)).reason).toBe('unsafe: qcow version 1 is not supported');
  });

  it('calls a header cut short or lying about its size unsafe, not raw', async () => {
    const short = create(dir, 'short.qcow2', 'qcow2', '16M');
    truncateSync(short, 100);
    const r = await inspectBoth(short);
    expect(r).toMatchObject({ format: 'qcow2', safe: false, reason: 'unsafe: qcow2 header is truncated (100 of 512 bytes)' });
    const huge = create(dir, 'huge.qcow2', 'qcow2', '16M');
    patch(huge, 24, Buffer.from('7fffffffffffffff', 'hex'));
    const h = await inspectBoth(huge);
    expect(h.safe).toBe(false);
    expect(h.reason).toMatch(/virtual size of 8\.0 EiB/);
    const bits = create(dir, 'bits.qcow2', 'qcow2', '16M');
    patch(bits, 20, Buffer.from([0, 0, 0, 40]));
    expect((await inspectBoth(bits)).reason).toContain('cluster size 2^40');
  });

  it('ignores v2 header extensions where v3 keeps its feature bits', async () => {
    const file = create(dir, 'v2ext.qcow2', 'qcow2', '16M', 'compat=0.10');
    patch(file, 72, Buffer.from('00000000000000ff', 'hex'));
    expect((await inspectBoth(file)).safe).toBe(true);
  });

  it('is raw when the magic is absent', async () => {
    const file = path.join(dir, 'zero.img');
    writeFileSync(file, Buffer.alloc(4096));
    expect(await inspectBoth(file, { declaredFormat: 'raw' })).toMatchObject({
      format: 'raw',
      virtualSize: 4096,
      actualSize: 4096,
      safe: true,
      formatMatches: true,
      checks: [{ name: 'format_match', passed: true }],
    });
  });
});
