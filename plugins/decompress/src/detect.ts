import { open } from 'node:fs/promises';

/** Formats this plugin decompresses (`lha` is recognised only to refuse it clearly). */
export const FORMATS = ['gzip', 'zip', 'zstd', 'xz', 'bzip2'] as const;
export type Format = (typeof FORMATS)[number];
export type Detected = Format | 'lha';

const at = (head: Uint8Array, offset: number, bytes: readonly number[]) => bytes.every((b, i) => head[offset + i] === b);

const BZIP2_BLOCK = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const BZIP2_END = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];

/**
 * What the first bytes say. Glance's order (zip, lha at offset 2, gzip) comes first; bzip2 needs its
 * block magic too, because "BZh" plus a digit alone is plausible text at the start of plain data.
 */
export function detect(head: Uint8Array): Detected | undefined {
  if (at(head, 0, [0x50, 0x4b, 0x03, 0x04]) || at(head, 0, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (at(head, 2, [0x2d, 0x6c, 0x68])) return 'lha';
  if (at(head, 0, [0x1f, 0x8b, 0x08])) return 'gzip';
  if (at(head, 0, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  // A zstd stream may open with a skippable frame (magic 0x184D2A50..0x184D2A5F, little-endian).
  if ((head[0]! & 0xf0) === 0x50 && at(head, 1, [0x2a, 0x4d, 0x18])) return 'zstd';
  if (at(head, 0, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (at(head, 0, [0x42, 0x5a, 0x68]) && head[3]! >= 0x31 && head[3]! <= 0x39 && (at(head, 4, BZIP2_BLOCK) || at(head, 4, BZIP2_END))) return 'bzip2';
  return undefined;
}

export async function detectFile(file: string): Promise<Detected | undefined> {
  const fh = await open(file, 'r');
  try {
    const head = new Uint8Array(10);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return detect(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}
