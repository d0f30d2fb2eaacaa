import { opts } from '@glance-import/core';

export const OUTPUT_FORMATS = ['qcow2', 'raw', 'vmdk'] as const;

/** `[image_conversion]`: Glance's one option, and a time bound Glance does not have. */
export const options = {
  output_format: opts.option(opts.string({ choices: OUTPUT_FORMATS }), {
    default: 'raw',
    help: 'Disk format every imported image is converted to (qcow2, raw or vmdk).',
  }),
  convert_timeout: opts.option(opts.integer({ min: 1 }), {
    default: 6 * 3600,
    help: 'Beyond Glance: seconds `qemu-img convert` may run before it is stopped and the import fails.',
  }),
};

/**
 * Glance's disk_format names and the qemu-img drivers that read them. Everything else (ami, aki,
 * ari, ploop, iso, qed, ...) is not converted.
 */
export const QEMU_DRIVERS: Readonly<Record<string, string>> = {
  raw: 'raw',
  qcow2: 'qcow2',
  vmdk: 'vmdk',
  vhd: 'vpc',
  vhdx: 'vhdx',
  vdi: 'vdi',
};
