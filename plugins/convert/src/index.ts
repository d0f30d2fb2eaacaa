import { definePlugin, linearFlow } from '@glance-import/core';
import { convertTask } from './convert-task.js';
import { options, QEMU_DRIVERS } from './options.js';

/**
 * Glance's `image_conversion`: refuse images the format inspector or qemu-img call unsafe, then
 * convert the staged data to `[image_conversion] output_format` with qemu-img.
 */
export const getFlow = definePlugin({
  group: 'image_conversion',
  options,
  description: 'Converts imported images to one disk format with qemu-img, refusing unsafe ones.',
  formats: {
    accepts: { compressed: false, formats: [...Object.keys(QEMU_DRIVERS), 'iso'] },
    produces: (o) => ({ formats: [o.output_format] }),
  },
  changesData: true,
  // What the convert task rewrites: a qemu-img format other than the output one (ISO passes as it is).
  replacesData: (diskFormat, o) => diskFormat !== o.output_format && Object.hasOwn(QEMU_DRIVERS, diskFormat),
  getFlow: (ctx) => linearFlow('image_conversion', {}, convertTask(ctx)),
});

export { OUTPUT_FORMATS } from './options.js';
export { convertErrors } from './errors.js';
