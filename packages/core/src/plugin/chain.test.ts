import { describe, expect, it } from 'vitest';
import { checkChain, type ChainLink } from './chain.js';

const decompress: ChainLink = {
  name: 'image_decompression',
  options: {},
  meta: { formats: { accepts: { compressed: true }, produces: () => ({ compressed: false }) } },
};
const convert: ChainLink = {
  name: 'image_conversion',
  options: { output_format: 'raw' },
  meta: { formats: { accepts: { compressed: false, formats: ['qcow2', 'raw', 'vmdk'] }, produces: (o) => ({ formats: [String(o.output_format)] }) } },
};

describe('checkChain', () => {
  it('reports conversion listed before decompression when compressed input is declared', () => {
    const err = checkChain({ formats: '*', compressed: true }, [convert, decompress]);
    expect(err?.code).toBe('GI_PLUGIN_CHAIN_INCOMPATIBLE');
    expect(err?.message).toContain("'image_conversion' (position 1");
    expect(err?.hint).toContain("Move 'image_decompression' before 'image_conversion'");
  });

  it('accepts the working order, and any order of plugins that take compressed data alike', () => {
    expect(checkChain({ formats: '*', compressed: true }, [decompress, convert])).toBeUndefined();
    expect(checkChain({ formats: '*', compressed: false }, [decompress, convert])).toBeUndefined();
    expect(checkChain({ formats: '*', compressed: false }, [convert])).toBeUndefined();
  });

  it('a decompressor in the list declares compressed input by itself: conversion before it is refused without input_compressed', () => {
    const err = checkChain({ formats: '*', compressed: false }, [convert, decompress]);
    expect(err?.code).toBe('GI_PLUGIN_CHAIN_INCOMPATIBLE');
    expect(err?.message).toContain("compressed input is declared ('image_decompression' is in image_import_plugins)");
    expect(err?.hint).toContain("Move 'image_decompression' before 'image_conversion'");
  });

  it('names as the decompressor to move only a plugin whose contract takes compressed data', () => {
    const unzipsNothing: ChainLink = { name: 'raw_only', options: {}, meta: { formats: { produces: () => ({ compressed: false }) } } };
    expect(checkChain({ formats: '*', compressed: true }, [convert, unzipsNothing])?.hint).toContain("Add 'image_decompression' before 'image_conversion'");
  });

  it('reports a plugin that receives formats it does not accept', () => {
    const vhdOnly: ChainLink = { name: 'vhd_tool', options: {}, meta: { formats: { accepts: { formats: ['vhd'] } } } };
    expect(checkChain({ formats: ['qcow2'], compressed: false }, [convert, vhdOnly])?.message).toContain('accepts vhd, but receives raw');
  });
});
