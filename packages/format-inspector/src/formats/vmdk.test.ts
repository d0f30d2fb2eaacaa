import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { create, inspectBoth, MiB, patch, qemuImg, qemuInfo, workDir, writeBytes } from '../corpus.fixture.js';

const descriptor = (createType: string, extent: string, extra = '') =>
  `# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType="${createType}"\n${extra}\n# Extent description\n${extent}\n\nddb.adapterType = "ide"\n`;

/** Replace the embedded descriptor of a sparse VMDK (sector 1..) with `text`. */
function setEmbeddedDescriptor(file: string, text: string): void {
  const b = readFileSync(file);
  b.fill(0, 512, 512 + 20 * 512);
  b.write(text, 512, 'latin1');
  writeFileSync(file, b);
}

/** Turn a sparse VMDK into one whose header says "grain directory at the end", with a footer appended. */
function withFooter(file: string, tamper?: (footer: Buffer) => void): void {
  const b = readFileSync(file);
  const header = Buffer.from(b.subarray(0, 512));
  const gd = header.subarray(56, 64);
  const footer = Buffer.from(header);
  Buffer.from(gd).copy(footer, 56);
  b.fill(0xff, 56, 64);
  const marker = (type: number) => {
    const m = Buffer.alloc(512);
    m.writeUInt32LE(type, 12);
    return m;
  };
  tamper?.(footer);
  writeFileSync(file, Buffer.concat([b, marker(3), footer, marker(0)]));
}

describe('vmdk', () => {
  const dir = workDir();

  it('detects monolithicSparse and streamOptimized with the virtual size qemu reports', async () => {
    const sparse = create(dir, 'sparse.vmdk', 'vmdk', '64M');
    const raw = writeBytes(dir, 'data.raw', Buffer.alloc(2 * MiB, 7));
    const stream = path.join(dir, 'stream.vmdk');
    qemuImg('convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', raw, stream);
    for (const file of [sparse, stream]) {
      const r = await inspectBoth(file, { declaredFormat: 'vmdk' });
      expect(r).toMatchObject({ format: 'vmdk', safe: true, formatMatches: true });
      expect(r.virtualSize).toBe(qemuInfo(file)['virtual-size']);
    }
  });

  it('refuses create types outside vmdkAllowedTypes, and every type when the list is empty', async () => {
    const sparse = create(dir, 'types.vmdk', 'vmdk', '64M');
    expect((await inspectBoth(sparse, { vmdkAllowedTypes: ['streamOptimized'] })).reason).toBe(
      "unsafe: vmdk createType 'monolithicSparse' is not allowed (allowed: streamOptimized)",
    );
    expect((await inspectBoth(sparse, { vmdkAllowedTypes: [] })).reason).toContain('vmdk_allowed_types is empty');
  });

  it('refuses a descriptor file, e.g. the monolithicFlat qemu-img writes, naming its extent', async () => {
    const flat = create(dir, 'flat.vmdk', 'vmdk', '16M', 'subformat=monolithicFlat');
    const r = await inspectBoth(flat, { vmdkAllowedTypes: ['monolithicFlat'] });
    expect(r).toMatchObject({ format: 'vmdk', virtualSize: 16 * MiB, safe: false });
    expect(r.reason).toBe("unsafe: vmdk is a descriptor file whose extents are other files ('flat-flat.vmdk')");
  });

  it('refuses the CVE-2022-47951 descriptor naming /etc/passwd, even dressed as monolithicSparse', async () => {
    const file = writeBytes(dir, 'passwd.vmdk', Buffer.from(descriptor('monolithicSparse', 'RW 1 FLAT "/etc/passwd" 0')));
    const r = await inspectBoth(file, { declaredFormat: 'vmdk' });
    expect(r.format).toBe('vmdk');
    expect(r.reason).toContain('vmdk descriptor names extent files with a path');
    expect(r.reason).toContain("extents are other files ('/etc/passwd')");
  });

  it('checks the embedded descriptor line by line, and catches a second createType hidden in a comment', async () => {
    const cases: Array<[string, string]> = [
      [descriptor('monolithicSparse', 'RW 131072 SPARSE "x.vmdk"', 'this is not a field'), 'vmdk descriptor has a line that is not'],
      [descriptor('monolithicSparse', 'RW 131072 SPARSE "../x.vmdk"'), 'names extent files with a path'],
      [descriptor('monolithicSparse', ''), 'vmdk descriptor has no extents'],
      [descriptor('monolithicFlat', 'RW 131072 SPARSE "x.vmdk"', '#createType="monolithicSparse"'), 'names createType more than once'],
    ];
    for (const [i, [text, reason]] of cases.entries()) {
      const file = create(dir, `embedded-${i}.vmdk`, 'vmdk', '64M');
      setEmbeddedDescriptor(file, text);
      expect((await inspectBoth(file)).reason).toContain(reason);
    }
  });

  it('accepts a footer that agrees with the header and refuses one that does not', async () => {
    const good = create(dir, 'footer.vmdk', 'vmdk', '64M');
    withFooter(good);
    expect((await inspectBoth(good)).checks.find((c) => c.name === 'footer')).toEqual({ name: 'footer', passed: true });
    const tampered: Array<[string, (f: Buffer) => void]> = [
      ['descriptor than the header', (f) => f.writeBigUInt64LE(2n, 28)],
      ['versions differ', (f) => f.writeUInt32LE(2, 4)],
      ['yet another footer', (f) => f.fill(0xff, 56, 64)],
    ];
    for (const [i, [reason, tamper]] of tampered.entries()) {
      const file = create(dir, `footer-${i}.vmdk`, 'vmdk', '64M');
      withFooter(file, tamper);
      expect((await inspectBoth(file)).reason).toContain(reason);
    }
    const missing = create(dir, 'nofooter.vmdk', 'vmdk', '64M');
    patch(missing, 56, Buffer.alloc(8, 0xff));
    expect((await inspectBoth(missing)).reason).toBe('unsafe: vmdk footer and header signatures differ');
  });

  it('calls a header with a misplaced descriptor or a bad version malformed', async () => {
    const moved = create(dir, 'moved.vmdk', 'vmdk', '64M');
    patch(moved, 28, Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]));
    expect((await inspectBoth(moved)).reason).toBe('unsafe: vmdk embedded descriptor is not at sector 1');
    const v9 = create(dir, 'v9.vmdk', 'vmdk', '64M');
    patch(v9, 4, Buffer.from([9, 0, 0, 0]));
    expect((await inspectBoth(v9)).reason).toBe('unsafe: vmdk version 9 is not supported');
    const cut = create(dir, 'cut.vmdk', 'vmdk', '64M');
    truncateSync(cut, 1024);
    expect((await inspectBoth(cut)).reason).toBe('unsafe: vmdk descriptor is truncated (512 of 10240 bytes)');
  });

  it('leaves plain text alone: without a createType it is raw data', async () => {
    const file = writeBytes(dir, 'notes.txt', Buffer.from('just some notes\nwith lines = and words\n'));
    expect(await inspectBoth(file)).toMatchObject({ format: 'raw', safe: true });
  });
});
