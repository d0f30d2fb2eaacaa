import { def, defineErrors, quoteList as list } from '@glance-import/core';

/**
 * image_conversion's error codes.
 * Codes are never reused or renumbered: scripts and operators match on them.
 */
export const convertErrors = defineErrors('GI_CONVERT_', {
  GI_CONVERT_NO_DISK_FORMAT: def<{ image: string }>({
    message: (p) => `Image ${p.image} has no disk_format, so image_conversion cannot tell qemu-img what the data is.`,
    hint: 'Set disk_format (and container_format) on the image before staging its data, then import again.',
  }),
  GI_CONVERT_UNSUPPORTED_FORMAT: def<{ format: string; supported: string[] }>({
    message: (p) => `disk_format '${p.format}' cannot be converted: qemu-img has no driver for it.`,
    hint: (p) =>
      `image_conversion converts ${list(p.supported)}. Set the right disk_format, or leave image_conversion out of image_import_plugins for such images.`,
  }),
  GI_CONVERT_UNSAFE: def<{ reason: string; fix: string }>({
    message: (p) => `Image has disallowed configuration: ${p.reason}.`,
    hint: (p) => p.fix,
  }),
  GI_CONVERT_FORMAT_MISMATCH: def<{ declared: string; detected: string }>({
    message: (p) => `Image format mismatch: disk_format is '${p.declared}', but the data is ${p.detected}.`,
    hint: (p) => `Set disk_format to '${p.detected}' if the data is right, or stage data in ${p.declared} format; then import again.`,
  }),
  GI_CONVERT_METADATA_MISMATCH: def<{ declared: string; reported: string }>({
    message: (p) => `Image metadata disagrees about format: qemu-img reads the data as '${p.reported}', disk_format is '${p.declared}'.`,
    hint: 'The image is corrupt or crafted; stage a clean image.',
  }),
  GI_CONVERT_QEMU_IMG_MISSING: def<Record<string, never>>({
    message: () => 'qemu-img was not found on the PATH of the import service.',
    hint: 'Install it (Debian: apt-get install qemu-utils) or remove image_conversion from image_import_plugins.',
  }),
  GI_CONVERT_QEMU_IMG_FAILED: def<{ command: string; reason: string }>({
    message: (p) => `qemu-img ${p.command} failed: ${p.reason}`,
    hint: 'qemu-img could not read or write the image; the message above is its own. The staged data is kept, so the import can be retried.',
  }),
  GI_CONVERT_TIMEOUT: def<{ command: string; seconds: number }>({
    message: (p) => `qemu-img ${p.command} did not finish within ${p.seconds} s and was stopped.`,
    hint: 'Raise [image_conversion] convert_timeout for very large images, or check the staging disk is not stalled.',
  }),
  GI_CONVERT_CANCELLED: def<Record<string, never>>({
    message: () => 'Image conversion was cancelled; qemu-img was stopped and its partial output removed.',
    hint: 'The import was aborted; the staged data is intact, so it can be imported again.',
  }),
  GI_CONVERT_TOO_LARGE: def<{ bytes: number; limit: number; option: string }>({
    message: (p) => `The converted image would take ${p.bytes} bytes, more than ${p.option} allows (${p.limit}).`,
    hint: 'Convert to a sparse format ([image_conversion] output_format = qcow2), or raise the limit.',
  }),
  GI_CONVERT_OUTPUT_MISMATCH: def<{ expected: string; detected: string; reason?: string }>({
    message: (p) => `Converted image in unexpected format: expected ${p.expected}, the inspector found ${p.detected}${p.reason ? ` (${p.reason})` : ''}.`,
    hint: 'qemu-img wrote something other than what was asked for; report it with the qemu-img version. The staged data is kept.',
  }),
});

/** Builds one of this package's errors: `giError('GI_CONVERT_NO_DISK_FORMAT', { ... })`. */
export const giError = convertErrors.error;
