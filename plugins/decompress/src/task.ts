import { rm } from 'node:fs/promises';
import { defineTask, FILE_PATH, type ImportContext, type Task } from '@glance-import/core';
import { forgetFileHashes, rememberFileHashes } from '@glance-import/store';
import { giError } from './errors.js';
import { decompressFile } from './decompress.js';
import { detectFile, type Format } from './detect.js';

export interface DecompressOptions {
  max_ratio: number;
  max_output_bytes: number;
  formats: string[];
}

/** What the task did, kept with its result so a revert after a restart can undo it. */
export interface DecompressionRecord {
  /** The compression found, or null for plain data. */
  format: Format | null;
  from: string;
  /** The new working file, or `from` when the data was passed through. */
  to: string;
  /** Why the data was passed through untouched. */
  skipped?: string;
  previousSize: number | null;
  outputBytes?: number;
}

/** The task provides the working file and this record of what it did. */
export const DECOMPRESSION = 'decompression';

type Result = { [FILE_PATH]: string; [DECOMPRESSION]: DecompressionRecord };

/**
 * Glance's `Decompress_Image`. The staged file is never modified: the output is a new file
 * beside it (`<file>.uc`), so a failure later in the flow can drop it and leave the upload as it was.
 */
export function decompressTask(ctx: ImportContext<DecompressOptions>): Task<{ file_path: string }, Result> {
  const log = ctx.logger.child({ plugin: 'image_decompression', image_id: ctx.imageId, task_id: ctx.taskId });
  return defineTask<{ file_path: string }, Result>({
    name: 'Decompress_Image',
    // The staged file is never touched and the output is removed before it is written again.
    rerunnable: true,
    requires: [FILE_PATH],
    provides: [FILE_PATH, DECOMPRESSION],
    async execute({ file_path }, atom) {
      const image = await ctx.image.get();
      const pass = (format: Format | null, skipped: string): Result => {
        log.info({ file: file_path, format }, `Not decompressing: ${skipped}`);
        return { file_path, decompression: { format, from: file_path, to: file_path, skipped, previousSize: image.size } };
      };
      // Glance's rule: the owner said the image is meant to stay compressed.
      if (image.container_format === 'compressed') return pass(null, "container_format is 'compressed'");
      const found = await detectFile(file_path);
      if (found === undefined) return pass(null, 'the data is not compressed');
      if (found === 'lha') throw giError('GI_DECOMPRESS_UNSUPPORTED_FORMAT', { format: 'LHA (lzh)' });
      if (!ctx.options.formats.includes(found)) return pass(found, `${found} is not listed in [image_decompression] formats`);

      const to = `${file_path}.uc`;
      await rm(to, { force: true }); // left by an attempt that crashed after its rename
      const { inputBytes, outputBytes, hashes } = await decompressFile(file_path, to, found, {
        limits: {
          imageSizeCap: ctx.imageSizeCap,
          stagingBytesLimit: ctx.stagingBytesLimit,
          maxRatio: ctx.options.max_ratio,
          maxOutputBytes: ctx.options.max_output_bytes,
        },
        signal: AbortSignal.any([ctx.signal, atom.signal]),
        progress: ctx.progress,
        ...(ctx.hashAlgo ? { hashAlgo: ctx.hashAlgo } : {}),
      });
      try {
        // The output was hashed as it was written: the store write takes it without reading it again.
        if (hashes) await rememberFileHashes(to, hashes);
        await ctx.image.setAttributes({ size: outputBytes });
      } catch (e) {
        forgetFileHashes(to);
        await rm(to, { force: true });
        throw e;
      }
      log.info({ format: found, from: file_path, to, input_bytes: inputBytes, output_bytes: outputBytes }, `Decompressed ${found} image data`);
      return { file_path: to, decompression: { format: found, from: file_path, to, previousSize: image.size, outputBytes } };
    },
    async revert({ file_path }, outcome) {
      if (outcome.kind === 'failure') {
        // execute cleans up after itself; this covers a process that died halfway.
        await rm(`${file_path}.uc.part`, { force: true });
        await rm(`${file_path}.uc`, { force: true });
        return;
      }
      const done = outcome.value.decompression;
      if (done.to === done.from) return;
      forgetFileHashes(done.to);
      await rm(done.to, { force: true });
      await ctx.image.setAttributes({ size: done.previousSize });
      log.info({ removed: done.to, size: done.previousSize }, 'Decompression reverted: the staged data is as uploaded');
    },
  });
}
