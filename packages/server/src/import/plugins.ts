import { decompresses, type ResolvedPlugin } from '@glance-import/core';

/** Compressed data may be staged when a configured plugin will decompress it (core defines a decompressor). */
export const acceptsCompressed = (plugins: readonly ResolvedPlugin[]) => plugins.some(decompresses);
