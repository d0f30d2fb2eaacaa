import { describe, expect, it } from 'vitest';
import { decompresses, replacesStagedData, type PluginMeta } from './define.js';

const plugin = (formats: PluginMeta['formats'], options: Record<string, unknown> = {}) => ({ meta: { formats }, options });

describe('decompresses', () => {
  it('is true for a plugin that takes compressed data and gives uncompressed data', () => {
    expect(decompresses(plugin({ accepts: { compressed: true }, produces: () => ({ compressed: false }) }))).toBe(true);
  });

  it("asks the contract with the plugin's own options", () => {
    const formats: PluginMeta['formats'] = { accepts: { compressed: true }, produces: (o) => ({ compressed: o.enabled !== true }) };
    expect(decompresses(plugin(formats, { enabled: true }))).toBe(true);
    expect(decompresses(plugin(formats, { enabled: false }))).toBe(false);
  });

  it('is false unless compressed input is accepted explicitly: a plugin without a contract says nothing', () => {
    expect(decompresses(plugin(undefined))).toBe(false);
    expect(decompresses(plugin({ produces: () => ({ compressed: false }) }))).toBe(false);
    expect(decompresses(plugin({ accepts: { compressed: false, formats: ['qcow2'] }, produces: () => ({ formats: ['raw'] }) }))).toBe(false);
    expect(decompresses(plugin({ accepts: { compressed: true } }))).toBe(false);
  });
});

describe('replacesStagedData', () => {
  const converter: PluginMeta = { replacesData: (f, o) => f !== o.output_format };
  it("asks each plugin with its own options and the image's disk_format", () => {
    expect(replacesStagedData([{ meta: converter, options: { output_format: 'raw' } }], 'qcow2')).toBe(true);
    expect(replacesStagedData([{ meta: converter, options: { output_format: 'raw' } }], 'raw')).toBe(false);
  });

  it('is false for plugins that do not say, and for an image without a disk_format', () => {
    expect(replacesStagedData([{ meta: { changesData: true }, options: {} }], 'qcow2')).toBe(false);
    expect(replacesStagedData([{ meta: converter, options: { output_format: 'raw' } }], null)).toBe(false);
    expect(replacesStagedData([], 'qcow2')).toBe(false);
  });
});
