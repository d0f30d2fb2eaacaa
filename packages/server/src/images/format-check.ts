import { giError } from '../errors.js';
import type { InspectionResult } from '@glance-import/format-inspector';

/** Compression formats recognised by their magic bytes (the decompression plugin handles them). */
const MAGIC: ReadonlyArray<[string, number[]]> = [
  ['gzip', [0x1f, 0x8b, 0x08]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];
const BZIP2_BLOCK = Buffer.from([0x31, 0x41, 0x59, 0x26, 0x53, 0x59]);
const BZIP2_END = Buffer.from([0x17, 0x72, 0x45, 0x38, 0x50, 0x90]);

/** The compression of data from its first 16 bytes, with the decompression plugin's strictness. */
export function compressionOf(head: Buffer): string | undefined {
  const found = MAGIC.find(([, m]) => m.every((b, i) => head[i] === b))?.[0];
  if (found) return found;
  // zstd skippable frames (0x184D2A50..5F, little-endian) may precede the data frames.
  if (head.length >= 4 && (head.readUInt32LE(0) & 0xfffffff0) === 0x184d2a50) return 'zstd';
  // "BZh1".."BZh9" alone is common in text; a block or end-of-stream magic must follow.
  if (head.subarray(0, 3).toString('latin1') === 'BZh' && head[3]! >= 0x31 && head[3]! <= 0x39) {
    const next = head.subarray(4, 10);
    if (next.equals(BZIP2_BLOCK) || next.equals(BZIP2_END)) return 'bzip2';
  }
  return undefined;
}

/** Disk formats the inspector can judge; others (ami, aki, ari, ploop) hold what Glance lets them (see judgeFormat). */
export const INSPECTABLE = new Set(['raw', 'qcow2', 'vmdk', 'vhd', 'vhdx', 'vdi', 'iso', 'qed', 'luks', 'gpt']);

export interface FormatPolicy {
  requireFormatMatch: boolean;
  /** Compressed data is acceptable because a plugin will decompress it. */
  acceptCompressed: boolean;
}

/**
 * Decide on data about to be staged, uploaded or imported: content that is not the declared
 * disk_format is refused when `require_image_format_match` (Glance 2025.1+), except raw declared
 * over rich content, which Glance allows with a warning; unsafe content is always refused.
 */
export function judgeFormat(
  image: { disk_format: string | null; container_format: string | null },
  result: InspectionResult,
  head: Buffer,
  policy: FormatPolicy,
): { verdict: 'ok' | 'skipped' | 'compressed'; compression?: string; warning?: string } {
  if (image.container_format !== 'bare' || !image.disk_format) return { verdict: 'skipped' };
  // Formats the inspector cannot judge may hold any bytes it reads as raw, compressed ones included
  // (an ari ramdisk is often a gzipped cpio archive); a disk image in them is a mismatch, as in Glance.
  if (!INSPECTABLE.has(image.disk_format) && result.diskFormat === 'raw') return { verdict: 'skipped' };
  const compression = compressionOf(head);
  if (compression) {
    if (policy.acceptCompressed) return { verdict: 'compressed', compression };
    if (policy.requireFormatMatch) throw giError('GI_IMPORT_FORMAT_MISMATCH', { declared: image.disk_format, detected: `${compression}-compressed data` });
  }
  let warning: string | undefined;
  if (result.formatMatches === false) {
    if (image.disk_format === 'raw') warning = `disk_format is raw but the data is ${result.format}; stored as raw bytes`;
    else if (policy.requireFormatMatch) throw giError('GI_IMPORT_FORMAT_MISMATCH', { declared: image.disk_format, detected: result.format });
    else warning = `disk_format ${image.disk_format} does not match data ${result.format}`;
  }
  const failed = result.checks.filter((c) => !c.passed && !c.nonfatal && c.name !== 'format_match');
  if (failed.length) throw giError('GI_IMPORT_UNSAFE', { reason: failed.map((c) => c.reason ?? c.name).join('; ') });
  return warning ? { verdict: 'ok', warning } : { verdict: 'ok' };
}
