import { describe, expect, it } from 'vitest';
import { assertSafe } from './assert.js';
import { fail, pass } from './probe.js';
import { verdict } from './verdict.js';

describe('assertSafe', () => {
  it('passes a safe result', () => {
    expect(() => assertSafe(verdict([{ format: 'qcow2', checks: [pass('backing_file')] }], 1))).not.toThrow();
  });

  it('throws GI_INSPECT_UNSAFE with the reason and what to do about it', () => {
    const r = verdict([{ format: 'qcow2', checks: [fail('backing_file', 'qcow2 has a backing file')] }], 1);
    expect(() => assertSafe(r)).toThrow(
      expect.objectContaining({
        code: 'GI_INSPECT_UNSAFE',
        status: 400,
        message: "The image data (qcow2) failed the format inspector's safety checks: qcow2 has a backing file.",
        hint: expect.stringContaining('qemu-img convert -O qcow2'),
      }),
    );
  });

  it('throws GI_INSPECT_FORMAT_MISMATCH when only the declaration is wrong', () => {
    const r = verdict([], 1, { declaredFormat: 'qcow2' });
    expect(() => assertSafe(r)).toThrow(
      expect.objectContaining({ code: 'GI_INSPECT_FORMAT_MISMATCH', status: 415, message: "The image's disk_format is 'qcow2', but its data is raw." }),
    );
  });

  it('lets raw declared over rich content through unless asked to be strict', () => {
    const r = verdict([{ format: 'vhdx', checks: [] }], 1, { declaredFormat: 'raw' });
    expect(() => assertSafe(r)).not.toThrow();
    expect(() => assertSafe(r, { strictFormatMatch: true })).toThrow(expect.objectContaining({ code: 'GI_INSPECT_FORMAT_MISMATCH' }));
  });
});
