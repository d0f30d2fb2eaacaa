import type { GlanceImportError } from '@glance-import/core';
import { giError } from './errors.js';
import type { QemuInfo } from './qemu-img.js';

const FLATTEN = 'Flatten it into one self-contained file (`qemu-img convert -O qcow2 in.qcow2 out.qcow2`), stage that and import again.';
const VMDK =
  'Re-export the disk as a single-file VMDK (`qemu-img convert -O vmdk -o subformat=streamOptimized in out.vmdk`), or ask an operator to allow its type in [image_format] vmdk_allowed_types.';

/**
 * Glance's second line of defence, on what qemu-img itself reports (CVE-2022-47951,
 * CVE-2024-32498): no backing file, no external data file, and a VMDK create type on the allowed
 * list. The messages are Glance's, so operators can match on them.
 */
export function infoRefusal(info: QemuInfo, vmdkAllowedTypes: readonly string[]): GlanceImportError<'GI_CONVERT_UNSAFE'> | undefined {
  const refuse = (reason: string, fix: string) => giError('GI_CONVERT_UNSAFE', { reason, fix });
  if (info['backing-filename'] !== undefined) return refuse('QCOW images with backing files are not allowed', FLATTEN);
  const data = info['format-specific']?.data;
  if (data?.['data-file'] !== undefined) return refuse('QCOW images with data-file set are not allowed', FLATTEN);
  if (info.format !== 'vmdk') return undefined;
  const type = data?.['create-type'];
  if (!type) return refuse('Unable to determine VMDK create-type', VMDK);
  if (vmdkAllowedTypes.length === 0) return refuse('Image is a VMDK, but no VMDK createType is specified', VMDK);
  if (!vmdkAllowedTypes.includes(type)) return refuse(`Invalid VMDK create-type specified ('${type}'; allowed: ${vmdkAllowedTypes.join(', ')})`, VMDK);
  return undefined;
}
