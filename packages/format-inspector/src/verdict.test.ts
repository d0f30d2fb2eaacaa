import { describe, expect, it } from 'vitest';
import { fail, pass, type Finding } from './probe.js';
import { verdict } from './verdict.js';

const qcow2: Finding = { format: 'qcow2', virtualSize: 1024, checks: [pass('backing_file')] };
const gpt: Finding = { format: 'gpt', checks: [fail('mbr', 'MBR defines no partitions')] };
const iso: Finding = { format: 'iso', virtualSize: 4096, checks: [] };

describe('verdict', () => {
  it('is raw with the data size when nothing matched', () => {
    expect(verdict([], 10)).toMatchObject({
      format: 'raw',
      diskFormat: 'raw',
      virtualSize: 10,
      actualSize: 10,
      safe: true,
      checks: [],
      formatMatches: undefined,
    });
    expect(verdict([], 10).inspectorVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('applies Glance’s rules for a declared disk_format', () => {
    const r = (findings: Finding[], declaredFormat: string, extra = {}) => verdict(findings, 100, { declaredFormat, ...extra });
    expect(r([qcow2], 'qcow2')).toMatchObject({ safe: true, formatMatches: true, declaredFormat: 'qcow2' });
    expect(r([], 'ami')).toMatchObject({ safe: true, formatMatches: true });
    expect(r([], 'vhd')).toMatchObject({ safe: false, formatMatches: false, reason: 'unsafe: disk_format is vhd, but the data is raw' });
    const rawRich = r([qcow2], 'raw');
    expect(rawRich).toMatchObject({ safe: true, formatMatches: false });
    expect(rawRich.checks.at(-1)).toEqual({
      name: 'format_match',
      passed: true,
      reason: 'declared raw, but the data is qcow2; it will be stored as raw bytes',
    });
    expect(r([qcow2], 'vmdk', { requireFormatMatch: false })).toMatchObject({ safe: true, formatMatches: false });
    expect(r([{ ...gpt, checks: [] }], 'raw')).toMatchObject({ format: 'gpt', diskFormat: 'raw', formatMatches: true });
  });

  it('resolves a hybrid ISO to iso and refuses other multiple matches', () => {
    expect(verdict([iso, gpt], 5000)).toMatchObject({ format: 'iso', safe: true, virtualSize: 4096 });
    expect(verdict([qcow2, gpt], 5000)).toMatchObject({ format: 'qcow2', safe: false, reason: 'unsafe: data matches several formats (qcow2, gpt)' });
  });

  it('makes only the named gpt checks non-fatal', () => {
    expect(verdict([gpt], 512, { gptSafetyChecksNonfatal: ['mbr'] })).toMatchObject({ safe: true, checks: [{ name: 'mbr', passed: false, nonfatal: true }] });
    expect(verdict([gpt], 512, { gptSafetyChecksNonfatal: ['other'] }).safe).toBe(false);
  });

  it('sizes header-only formats from the data size', () => {
    expect(verdict([{ format: 'luks', headerBytes: 4096, checks: [] }], 10_000).virtualSize).toBe(5904);
    expect(verdict([{ format: 'luks', headerBytes: 4096, checks: [] }], 100).virtualSize).toBe(0);
  });
});
