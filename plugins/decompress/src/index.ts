import { definePlugin, linearFlow, opts } from '@glance-import/core';
import { FORMATS } from './detect.js';
import { decompressTask } from './task.js';

export { FORMATS, type Format } from './detect.js';
export { DECOMPRESSION, type DecompressionRecord } from './task.js';
export { RATIO_FLOOR } from './budget.js';
export { ZSTD_MAX_WINDOW } from './zstd.js';
export { decompressErrors } from './errors.js';

/** Glance's `image_decompression`, with zstd, xz and bzip2 besides gzip and zip, and a bomb guard. */
export const getFlow = definePlugin({
  group: 'image_decompression',
  description: 'Decompresses gzip, zip, zstd, xz or bzip2 image data in staging; the image size becomes the decompressed size.',
  options: {
    max_ratio: opts.option(opts.integer({ min: 0 }), {
      default: 100,
      help: 'Stop when the output grows past this many times the compressed size (a decompression bomb), and past 16 MiB. 0: no ratio limit.',
    }),
    max_output_bytes: opts.option(opts.integer({ min: 0 }), {
      default: 0,
      help: 'Stop when the output grows past this many bytes. 0: only [DEFAULT] image_size_cap, the staging quota and max_ratio apply.',
    }),
    formats: opts.option(opts.list(opts.string({ choices: FORMATS })), {
      default: [...FORMATS],
      help: "Compressions to undo; data in any other passes through untouched. Glance's own set is 'gzip, zip'.",
    }),
  },
  formats: { accepts: { compressed: true }, produces: () => ({ compressed: false }) },
  changesData: true,
  getFlow: (ctx) => linearFlow('image_decompression', {}, decompressTask(ctx)),
});
