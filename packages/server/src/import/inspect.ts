import { createReadStream } from 'node:fs';
import { defineTask, reasonOf } from '@glance-import/core';
import { inspectFile } from '@glance-import/format-inspector';
import { judgeFormat } from '../images/format-check.js';
import type { TaskDeps } from './deps.js';
import type { Inspection, InspectionRecord } from './inspection.js';

/**
 * Run the format inspector on the working file (beyond Glance: before any plugin, and again after
 * each plugin that rewrites the data) and refuse unsafe data. The verdict goes to the task; the
 * image gets the last one with its data (ImportToStore), so a failed import leaves it untouched.
 */
export function inspect(d: Pick<TaskDeps, 'image' | 'settings' | 'inspections' | 'log'>, label: string, acceptCompressed: boolean) {
  return defineTask<{ file_path: string }, Inspection>({
    name: `Inspect-${label}`,
    rerunnable: true,
    requires: ['file_path'],
    provides: 'inspection',
    execute: async ({ file_path }) => {
      const image = await d.image.load();
      const fmt = d.settings.imageFormat;
      const result = await inspectFile(file_path, {
        ...(image.disk_format ? { declaredFormat: image.disk_format } : {}),
        vmdkAllowedTypes: fmt.vmdkAllowedTypes,
        gptSafetyChecksNonfatal: fmt.gptSafetyChecksNonfatal,
      });
      const base = {
        phase: label,
        format: result.format,
        disk_format: image.disk_format,
        virtual_size: result.virtualSize,
        checks: result.checks,
        inspector_version: result.inspectorVersion,
      };
      let judged: ReturnType<typeof judgeFormat>;
      try {
        judged = judgeFormat(image, result, await readHead(file_path), { requireFormatMatch: fmt.requireFormatMatch, acceptCompressed });
      } catch (e) {
        d.inspections.push({ ...base, verdict: 'refused', reason: reasonOf(e) });
        throw e;
      }
      const { verdict, compression, warning } = judged;
      if (warning) d.log.warn({ image_id: image.id }, warning);
      // The inspector sees compressed bytes as raw: only the compression is known until they are decompressed.
      const record: InspectionRecord = compression
        ? { ...base, verdict, format: compression, virtual_size: null, checks: result.checks.filter((c) => c.name !== 'format_match') }
        : { ...base, verdict, ...(warning ? { warning } : {}) };
      d.inspections.push(record);
      return { ...result, verdict, record };
    },
  });
}

async function readHead(file: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of createReadStream(file, { start: 0, end: 15 })) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
