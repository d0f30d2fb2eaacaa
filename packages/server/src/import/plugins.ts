import type { ResolvedPlugin } from '@glance-import/core';

/** A plugin that takes compressed data and gives uncompressed data (image_decompression or a third party's). */
export const decompresses = (p: ResolvedPlugin) => p.meta.formats?.accepts?.compressed === true && p.meta.formats?.produces?.(p.options).compressed === false;

/** Compressed data may be staged when a configured plugin will decompress it. */
export const acceptsCompressed = (plugins: readonly ResolvedPlugin[]) => plugins.some(decompresses);
