import { rename, rm, stat } from 'node:fs/promises';
import { defineTask, FILE_PATH, type GroupValues, type ImportContext, type SettableAttribute, type Task } from '@glance-import/core';
import { forgetFileHashes, rememberFileHashes } from '@glance-import/store';
import { giError } from './errors.js';
import { inspectFile, remedyFor, type InspectionResult } from '@glance-import/format-inspector';
import { infoRefusal } from './info-checks.js';
import { QEMU_DRIVERS, type options } from './options.js';
import { progressParser } from './progress.js';
import { convertsInSlices, qemuImgInfo, runQemuImg } from './qemu-img.js';
import { convertToRaw } from './raw-slices.js';

export type ConvertOptions = GroupValues<typeof options>;
type Attributes = Partial<Record<SettableAttribute, string | number | null>>;

/** The inspector's verdict on the staged data, as Glance's pre-conversion refusals. */
function refuseSource(r: InspectionResult, declared: string): void {
  const fatal = r.checks.filter((c) => !c.passed && !c.nonfatal && c.name !== 'format_match');
  if (fatal.length) throw giError('GI_CONVERT_UNSAFE', { reason: fatal.map((c) => c.reason).join('; '), fix: remedyFor(fatal[0]!.name) });
  if (r.diskFormat === 'iso' && declared !== 'iso') {
    throw giError('GI_CONVERT_UNSAFE', {
      reason: `the data is an ISO image but disk_format is '${declared}'`,
      fix: "Set disk_format to 'iso'; ISO images are imported as they are.",
    });
  }
  if (r.diskFormat !== declared) throw giError('GI_CONVERT_FORMAT_MISMATCH', { declared, detected: r.format });
}

/**
 * `Convert_Image`, Glance master's `_ConvertImage` with its checks in its order: inspect, compare,
 * `qemu-img info` under limits, refuse, convert, inspect the output, update the image.
 *
 * To raw, the conversion runs in slices that are hashed and written back while the next converts
 * (raw-slices.ts), and the hashes are left with the output for the store write.
 *
 * Beyond Glance, nothing is lost on failure: the staged source is never moved or deleted here. The
 * output goes to `<source>.<format>` (written as `.part`, renamed when it passed inspection) and
 * becomes the new `file_path`; revert deletes it and restores the attributes this task changed, so
 * the same import can simply be retried. Deleting the source only once the whole import can no
 * longer fail is the job of the flow's final staging clean-up, which removes `<staging>/<image id>`
 * and every `<staging>/<image id>.*` (the names Glance's staging sweeper also treats as the image's).
 */
export function convertTask(ctx: ImportContext<ConvertOptions>): Task<{ file_path: string }, string> {
  const out = ctx.options.output_format;
  let restore: Attributes | undefined;
  const paths = (filePath: string) => {
    const src = filePath.replace(/^file:\/\//, '');
    return { src, dest: `${src}.${out}`, part: `${src}.${out}.part` };
  };
  const setAttributes = async (attrs: Attributes) => {
    const before = await ctx.image.get();
    restore ??= {};
    for (const k of Object.keys(attrs) as SettableAttribute[]) if (!(k in restore)) restore[k] = before[k];
    await ctx.image.setAttributes(attrs);
  };

  return defineTask<{ file_path: string }, string>({
    name: 'Convert_Image',
    requires: [FILE_PATH],
    provides: FILE_PATH,
    // Run again after a crash: qemu-img rewrites `.part`, the rename replaces the output, and a run
    // that had finished (output in place, the image already says the output format) is not redone.
    rerunnable: true,
    async execute({ file_path }, atom) {
      const signal = AbortSignal.any([ctx.signal, atom.signal]);
      const { src, dest, part } = paths(file_path);
      const image = await ctx.image.get();
      const declared = image.disk_format;
      // Only a finished conversion leaves the output beside its source with the image already in the output format.
      if (declared === out && dest !== src && (await stat(dest).catch(() => undefined))?.isFile()) return dest;
      if (!declared) throw giError('GI_CONVERT_NO_DISK_FORMAT', { image: ctx.imageId });
      const driver = QEMU_DRIVERS[declared];
      if (!driver && declared !== 'iso') throw giError('GI_CONVERT_UNSUPPORTED_FORMAT', { format: declared, supported: Object.keys(QEMU_DRIVERS) });
      const { vmdkAllowedTypes, gptSafetyChecksNonfatal } = ctx.imageFormat;
      const log = ctx.logger.child({ plugin: 'image_conversion', image_id: ctx.imageId, task_id: ctx.taskId });

      refuseSource(await inspectFile(src, { declaredFormat: declared, vmdkAllowedTypes, gptSafetyChecksNonfatal }), declared);
      if (!driver) {
        log.info('ISO image: imported as it is, without conversion');
        return file_path;
      }

      const info = await qemuImgInfo(src, driver, signal);
      if (info.format !== driver) throw giError('GI_CONVERT_METADATA_MISMATCH', { declared, reported: info.format ?? 'unknown' });
      const refusal = infoRefusal(info, vmdkAllowedTypes);
      if (refusal) throw refusal;
      const virtualSize = info['virtual-size'] ?? 0;
      await setAttributes({ virtual_size: virtualSize });
      if (declared === out) {
        log.info(`Image is already ${out}; not converting`);
        return file_path;
      }
      if (out === 'raw') {
        if (virtualSize > ctx.imageSizeCap)
          throw giError('GI_CONVERT_TOO_LARGE', { bytes: virtualSize, limit: ctx.imageSizeCap, option: '[DEFAULT] image_size_cap' });
        const quota = ctx.stagingBytesLimit;
        if (quota !== undefined && virtualSize > quota)
          throw giError('GI_CONVERT_TOO_LARGE', { bytes: virtualSize, limit: quota, option: 'the staging quota' });
      }

      const report = (percent: number) =>
        ctx.progress.report({ phase: 'convert', bytesDone: Math.round((virtualSize * percent) / 100), bytesTotal: virtualSize });
      report(0);
      const timeoutMs = ctx.options.convert_timeout * 1000;
      // To raw, the output is hashed while it is made, for the store write to take with it.
      const hashes =
        out === 'raw' && (await convertsInSlices())
          ? await convertToRaw(src, driver, part, virtualSize, {
              signal,
              timeoutMs,
              ...(ctx.hashAlgo ? { hashAlgo: ctx.hashAlgo } : {}),
              onProgress: (bytes) => ctx.progress.report({ phase: 'convert', bytesDone: bytes, bytesTotal: virtualSize }),
            })
          : await runQemuImg(['convert', '-p', '-f', driver, '-O', out, src, part], {
              command: 'convert',
              signal,
              timeoutMs,
              onStdout: progressParser(report),
            }).then(() => undefined);
      // qemu-img writes vmdk as monolithicSparse unless told otherwise: that is what must come out.
      const written = await inspectFile(part, { declaredFormat: out, vmdkAllowedTypes: ['monolithicSparse'] });
      if (!written.safe || written.diskFormat !== out) {
        throw giError('GI_CONVERT_OUTPUT_MISMATCH', { expected: out, detected: written.format, ...(written.reason ? { reason: written.reason } : {}) });
      }
      await rename(part, dest);
      if (hashes) await rememberFileHashes(dest, hashes);
      const size = (await stat(dest)).size;
      await setAttributes({ disk_format: out, container_format: 'bare', virtual_size: virtualSize, size });
      log.info({ size, disk_format: out }, `Converted image from ${declared} to ${out}`);
      return dest;
    },
    async revert({ file_path }) {
      const { src, dest, part } = paths(file_path);
      // Only what this task writes; the staged source stays where it is for a retry.
      for (const f of [part, dest]) if (f !== src) await rm(f, { force: true });
      forgetFileHashes(dest);
      if (restore) await ctx.image.setAttributes(restore);
      restore = undefined;
    },
  });
}
