/** What a person can do about each failed check: the hint of the error assertSafe throws. */
const REMEDIES: Record<string, string> = {
  backing_file: 'The qcow2 image depends on another file. Flatten it into a standalone image (`qemu-img convert -O qcow2 in.qcow2 out.qcow2`) and upload that.',
  data_file:
    'The qcow2 image keeps its data in an external file. Convert it to a self-contained image (`qemu-img convert -O qcow2 in.qcow2 out.qcow2`) and upload that.',
  unknown_features:
    'The qcow2 header uses a version or features this service does not accept. Rewrite it with `qemu-img convert -O qcow2 -o compat=1.1 in.qcow2 out.qcow2`.',
  banned: 'This format is not accepted. Convert the image to qcow2 or raw with `qemu-img convert` and upload that.',
  descriptor:
    'The VMDK descriptor is not one this service accepts. Re-export the disk as a single-file VMDK (`qemu-img convert -O vmdk -o subformat=streamOptimized in out.vmdk`).',
  extents:
    'A VMDK descriptor file only points at other files and cannot be imported. Upload a single-file VMDK (`qemu-img convert -O vmdk -o subformat=streamOptimized in.vmdk out.vmdk`).',
  create_type:
    'Convert the VMDK to an allowed createType (`qemu-img convert -O vmdk -o subformat=streamOptimized in.vmdk out.vmdk`), or ask an operator to allow it in [image_format] vmdk_allowed_types.',
  footer: 'The VMDK footer contradicts its header. Re-export the disk (`qemu-img convert -O vmdk -o subformat=streamOptimized in.vmdk out.vmdk`).',
  differencing: 'A differencing VHD depends on its parent disk. Merge it into a standalone image (`qemu-img convert -O vpc in.vhd out.vhd`) and upload that.',
  mbr: 'The partition table is invalid. Repair it, or ask an operator to list this check in [image_format] gpt_safety_checks_nonfatal.',
  version: 'Only LUKS version 1 images are accepted.',
  header: 'The file is truncated or its header is corrupt. Upload the complete image again.',
  virtual_size: 'The header declares an impossible disk size: the image is corrupt or crafted.',
  multiple_formats:
    'The data looks like several formats at once and cannot be classified safely. Convert it to one plain format (qcow2 or raw) with `qemu-img convert`.',
  format_match: 'Set disk_format to the format the data really has, or upload data in the declared format.',
  inspector: 'The inspector could not make sense of this data; treat the image as corrupt, or report it to the operators.',
};

/** What a person can do about a failed check, by its name (`backing_file`, `descriptor`, ...). */
export function remedyFor(check: string): string {
  return REMEDIES[check] ?? 'Fix the image so it passes this check, or convert it with `qemu-img convert` to qcow2 or raw.';
}
