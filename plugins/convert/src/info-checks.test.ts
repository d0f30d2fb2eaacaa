import { describe, expect, it } from 'vitest';
import { infoRefusal } from './info-checks.js';

const allowed = ['monolithicSparse', 'streamOptimized'];

describe('infoRefusal', () => {
  it('passes a plain image', () => {
    expect(infoRefusal({ format: 'qcow2', 'format-specific': { type: 'qcow2', data: {} } }, allowed)).toBeUndefined();
    expect(infoRefusal({ format: 'vmdk', 'format-specific': { type: 'vmdk', data: { 'create-type': 'streamOptimized' } } }, allowed)).toBeUndefined();
  });

  it('refuses what Glance refuses, with its messages', () => {
    const reason = (info: Parameters<typeof infoRefusal>[0], types = allowed) => infoRefusal(info, types)?.message;
    expect(reason({ format: 'qcow2', 'backing-filename': 'base' })).toBe('Image has disallowed configuration: QCOW images with backing files are not allowed.');
    expect(reason({ format: 'qcow2', 'format-specific': { data: { 'data-file': '/etc/shadow' } } })).toContain(
      'QCOW images with data-file set are not allowed',
    );
    expect(reason({ format: 'vmdk' })).toContain('Unable to determine VMDK create-type');
    expect(reason({ format: 'vmdk', 'format-specific': { data: { 'create-type': 'monolithicSparse' } } }, [])).toContain('no VMDK createType is specified');
    expect(reason({ format: 'vmdk', 'format-specific': { data: { 'create-type': 'monolithicFlat' } } })).toContain(
      "Invalid VMDK create-type specified ('monolithicFlat'",
    );
  });
});
