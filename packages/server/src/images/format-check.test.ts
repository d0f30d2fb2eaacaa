import { gzipSync } from 'node:zlib';
import { StreamInspector } from '@glance-import/format-inspector';
import { describe, expect, it } from 'vitest';
import { judgeFormat } from './format-check.js';

/** A 512-byte qcow2 v3 header of a 1 MiB disk; `backing` sets its backing file offset. */
function qcow2(backing = false): Buffer {
  const b = Buffer.alloc(512);
  b.write('QFI\xfb', 0, 'latin1');
  b.writeUInt32BE(3, 4);
  if (backing) b.writeBigUInt64BE(0x200n, 8);
  b.writeUInt32BE(16, 20);
  b.writeBigUInt64BE(1n << 20n, 24);
  return b;
}

const strict = { requireFormatMatch: true, acceptCompressed: false };

function judge(disk_format: string, data: Buffer, policy = strict) {
  const inspector = new StreamInspector();
  inspector.update(data);
  return judgeFormat({ disk_format, container_format: 'bare' }, inspector.result({ declaredFormat: disk_format }), data.subarray(0, 16), policy);
}

describe('judgeFormat', () => {
  it('lets ami, aki and ari hold what the inspector reads as raw, compressed data included (a gzipped initramfs)', () => {
    const initramfs = gzipSync(Buffer.from('070701 cpio archive'));
    expect(judge('ari', initramfs)).toEqual({ verdict: 'skipped' });
    expect(judge('aki', Buffer.alloc(4096, 7))).toEqual({ verdict: 'skipped' });
  });

  it('refuses a disk image declared ami, as Glance does (415)', () => {
    expect(() => judge('ami', qcow2())).toThrow(expect.objectContaining({ code: 'GI_IMPORT_FORMAT_MISMATCH', status: 415, message: 'Image disk_format ami does not match stream data qcow2.' }));
  });

  it('refuses compressed data for a disk format unless a plugin decompresses it', () => {
    const gz = gzipSync(qcow2());
    expect(() => judge('qcow2', gz)).toThrow(expect.objectContaining({ message: 'Image disk_format qcow2 does not match stream data gzip-compressed data.' }));
    expect(judge('qcow2', gz, { ...strict, acceptCompressed: true })).toEqual({ verdict: 'compressed', compression: 'gzip' });
  });

  it('lets raw hold a disk image with a warning, but never an unsafe one', () => {
    expect(judge('raw', qcow2())).toEqual({ verdict: 'ok', warning: 'disk_format is raw but the data is qcow2; stored as raw bytes' });
    expect(() => judge('raw', qcow2(true))).toThrow(expect.objectContaining({ code: 'GI_IMPORT_UNSAFE', message: 'Image failed safety checks: qcow2 has a backing file.' }));
  });

  it('without require_image_format_match, a mismatch only warns; unsafe data is still refused', () => {
    const lax = { ...strict, requireFormatMatch: false };
    expect(judge('vmdk', qcow2(), lax)).toEqual({ verdict: 'ok', warning: 'disk_format vmdk does not match data qcow2' });
    expect(() => judge('vmdk', qcow2(true), lax)).toThrow(expect.objectContaining({ code: 'GI_IMPORT_UNSAFE' }));
  });
});
