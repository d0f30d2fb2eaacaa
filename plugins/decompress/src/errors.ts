import { def, defineErrors } from '@glance-import/core';

/**
 * image_decompression's error codes.
 * Codes are never reused or renumbered: scripts and operators match on them.
 */
export const decompressErrors = defineErrors('GI_DECOMPRESS_', {
  GI_DECOMPRESS_TOO_LARGE: def<{
    format: string;
    limit: number;
    guard: 'image_size_cap' | 'staging_quota' | 'max_ratio' | 'max_output_bytes';
    inputBytes: number;
  }>({
    message: (p) =>
      `Decompressing the ${p.format} data went past ${p.limit} bytes, the limit set by ${
        {
          image_size_cap: '[DEFAULT] image_size_cap',
          staging_quota: 'the staging quota left to this project',
          max_ratio: '[image_decompression] max_ratio (times the compressed size, and at least 16 MiB)',
          max_output_bytes: '[image_decompression] max_output_bytes',
        }[p.guard]
      }; stopped, and the staged data is unchanged.`,
    hint: (p) =>
      p.guard === 'max_ratio' || p.guard === 'max_output_bytes'
        ? `Either a decompression bomb or an image that really expands this much (${p.inputBytes} bytes in). If it is genuine, raise [image_decompression] ${p.guard} and import again.`
        : 'The decompressed image does not fit; upload a smaller image, or ask the operator to raise the limit.',
  }),
  GI_DECOMPRESS_CORRUPT: def<{ format: string; reason: string }>({
    message: (p) => `The staged data looks like ${p.format} but cannot be decompressed: ${p.reason}.`,
    hint: 'The upload is truncated or damaged, or is not the format its first bytes claim. Check the file locally (e.g. `gzip -t`, `xz -t`, `zstd -t`, `bzip2 -t`, `unzip -t`) and stage it again; the staged data is unchanged.',
  }),
  GI_DECOMPRESS_UNSUPPORTED_FORMAT: def<{ format: string }>({
    message: (p) => `The staged data is a ${p.format} archive, which image_decompression does not decompress.`,
    hint: "Recompress the image with gzip, zstd, xz or bzip2 (or zip with one member), or set container_format to 'compressed' to store it as it is.",
  }),
  GI_DECOMPRESS_MEMORY: def<{ format: string; needed: string; limit: string }>({
    message: (p) => `The ${p.format} data needs ${p.needed} of decoding window; the decoder allows at most ${p.limit}.`,
    hint: 'The reference tools refuse such data by default too (`zstd -d` without --memory). Recompress without --long/--ultra (zstd) or with at most -9 (xz).',
  }),
  GI_DECOMPRESS_ZIP_MEMBERS: def<{ count: number }>({
    message: (p) => `The zip archive holds ${p.count} members; image_decompression takes an archive with exactly one file.`,
    hint: 'Zip the disk image alone (no folders, no extra files), or compress it with gzip, zstd or xz.',
  }),
  GI_DECOMPRESS_ZIP_UNSAFE_NAME: def<{ name: string; reason: string }>({
    message: (p) => `The zip member '${p.name}' has an unsafe name (${p.reason}); the archive is refused.`,
    hint: 'Member names must be relative paths without `..`, drive letters or backslashes. Such a name only appears in crafted archives: zip the image file again.',
  }),
  GI_DECOMPRESS_ZIP_UNSUPPORTED: def<{ name: string; reason: string }>({
    message: (p) => `The zip member '${p.name}' cannot be used: ${p.reason}.`,
    hint: 'Zip the image as a plain file with deflate or no compression, without encryption (`zip image.zip disk.img`).',
  }),
  GI_DECOMPRESS_WRITE_FAILED: def<{ path: string; reason: string }>({
    message: (p) => `Could not write the decompressed image to '${p.path}': ${p.reason}.`,
    hint: 'Check free space and permissions in the staging directory ([DEFAULT] node_staging_uri); the staged data is unchanged, so the import can be retried.',
  }),
});

/** Builds one of this package's errors: `giError('GI_DECOMPRESS_TOO_LARGE', { ... })`. */
export const giError = decompressErrors.error;
