import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PluginRun } from '@glance-import/testing';
import { describe, expect, it } from 'vitest';
import { cause, convert, fromRaw, qemuImg, rawData, source, staged, workDir } from './images.fixture.js';
import { getFlow } from './index.js';

/** A refused run changed nothing: same staged bytes, no output, no attribute changes. */
function expectUntouched(run: PluginRun, fixture: string): void {
  expect(run.ok).toBe(false);
  expect(staged(run)).toEqual([run.image.id]);
  expect(source(run).equals(readFileSync(fixture))).toBe(true);
  expect(run.changes).toEqual({});
}

describe('image_conversion refuses', () => {
  const dir = workDir();
  const raw = rawData(dir, 'base.raw', 4);

  it('a qcow2 with a backing file', async () => {
    const file = path.join(dir, 'child.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-b', raw, '-F', 'raw', file, '4M');
    const run = await convert({ file, image: { disk_format: 'qcow2' } });
    expectUntouched(run, file);
    expect(cause(run)).toMatchObject({
      code: 'GI_CONVERT_UNSAFE',
      message: 'Image has disallowed configuration: qcow2 has a backing file.',
      hint: expect.stringContaining('qemu-img convert -O qcow2 in.qcow2 out.qcow2'),
    });
  });

  it('a qcow2 whose data lives in another file (data_file)', async () => {
    const file = path.join(dir, 'datafile.qcow2');
    qemuImg('create', '-q', '-f', 'qcow2', '-o', `data_file=${path.join(dir, 'outside.raw')}`, file, '4M');
    const run = await convert({ file, image: { disk_format: 'qcow2' } });
    expectUntouched(run, file);
    expect(cause(run).message).toBe('Image has disallowed configuration: qcow2 has an external data file (data_file).');
  });

  it('a VMDK descriptor naming /etc/passwd as its extent (CVE-2022-47951)', async () => {
    const file = path.join(dir, 'attack.vmdk');
    writeFileSync(file, '# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="monolithicFlat"\n\nRW 8 FLAT "/etc/passwd" 0\n');
    const run = await convert({ file, image: { disk_format: 'vmdk' } });
    expectUntouched(run, file);
    expect(cause(run).code).toBe('GI_CONVERT_UNSAFE');
    expect(cause(run).message).toContain("vmdk is a descriptor file whose extents are other files ('/etc/passwd')");
    expect(run.logs.some((l) => l.msg.includes('qemu-img'))).toBe(false);
  });

  it('a VMDK whose create type is not allowed', async () => {
    const file = fromRaw(raw, 'vmdk', 'sparse.vmdk');
    const run = await convert({ file, image: { disk_format: 'vmdk' }, options: {} });
    expect(run.ok).toBe(true);
    // vmdk_allowed_types comes from [image_format]; runPlugin uses its default, so narrow it by hand:
    const strict = await convert({ file, image: { disk_format: 'vmdk' } }, (ctx) =>
      getFlow({ ...ctx, imageFormat: { ...ctx.imageFormat, vmdkAllowedTypes: ['streamOptimized'] } }),
    );
    expectUntouched(strict, file);
    expect(cause(strict).message).toContain("vmdk createType 'monolithicSparse' is not allowed");
  });

  it('data that is not the declared disk_format, and an ISO declared as something else', async () => {
    const run = await convert({ file: raw, image: { disk_format: 'qcow2' } });
    expectUntouched(run, raw);
    expect(cause(run)).toMatchObject({ code: 'GI_CONVERT_FORMAT_MISMATCH', message: "Image format mismatch: disk_format is 'qcow2', but the data is raw." });
    const iso = Buffer.alloc(64 * 1024);
    iso.write('\x01CD001\x01', 32 * 1024, 'latin1');
    const isoFile = path.join(dir, 'cd.iso');
    writeFileSync(isoFile, iso);
    const isoRun = await convert({ file: isoFile, image: { disk_format: 'raw' } });
    expect(cause(isoRun).message).toContain("the data is an ISO image but disk_format is 'raw'");
  });

  it('formats qemu-img cannot read, images without a disk_format, and raw output over image_size_cap', async () => {
    expect(cause(await convert({ file: raw, image: { disk_format: 'ami' } })).code).toBe('GI_CONVERT_UNSUPPORTED_FORMAT');
    expect(cause(await convert({ file: raw, image: { disk_format: null } })).code).toBe('GI_CONVERT_NO_DISK_FORMAT');
    const qcow2 = fromRaw(raw, 'qcow2', 'big.qcow2');
    const run = await convert({ file: qcow2, image: { disk_format: 'qcow2' }, imageSizeCap: 1024 });
    expect(cause(run)).toMatchObject({
      code: 'GI_CONVERT_TOO_LARGE',
      message: 'The converted image would take 4194304 bytes, more than [DEFAULT] image_size_cap allows (1024).',
    });
    expect(run.changes).toEqual({});
  });
});
