import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Duplex, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isGlanceImportError, type ProgressReporter } from '@glance-import/core';
import { giError } from './errors.js';
import { OutputBudget, type Limits } from './budget.js';
import { decoder } from './codecs.js';
import type { Format } from './detect.js';
import { openZipMember, type ZipMember } from './zip.js';

export interface DecompressOptions {
  limits: Omit<Limits, 'inputBytes'>;
  signal: AbortSignal;
  progress: ProgressReporter;
}

/** Report input consumed about every 1% (at least every 4 MiB apart), plus the start and the end. */
function progressCounter(total: number, progress: ProgressReporter): Transform {
  const step = Math.max(4 << 20, Math.ceil(total / 100));
  let done = 0;
  let reported = 0;
  progress.report({ phase: 'decompress', bytesDone: 0, bytesTotal: total });
  return new Transform({
    transform(chunk: Buffer, _enc, next) {
      done += chunk.length;
      if (done - reported >= step) {
        reported = done;
        progress.report({ phase: 'decompress', bytesDone: done, bytesTotal: total });
      }
      next(null, chunk);
    },
    flush(next) {
      if (reported !== done) progress.report({ phase: 'decompress', bytesDone: done, bytesTotal: total });
      next();
    },
  });
}

/**
 * Decompress `src` into `dest` as a stream: the output goes to `<dest>.part`, is flushed to disk,
 * and only then renamed to `dest`. On any failure the partial output is removed; `src` is never
 * written. Returns the sizes in and out.
 */
export async function decompressFile(src: string, dest: string, format: Format, o: DecompressOptions): Promise<{ inputBytes: number; outputBytes: number }> {
  const inputBytes = (await stat(src)).size;
  const budget = new OutputBudget(format, { ...o.limits, inputBytes });
  const part = `${dest}.part`;
  let member: ZipMember | undefined;
  let writeError: unknown;
  try {
    let source: Readable;
    let total: number;
    let stages: Duplex[];
    if (format === 'zip') {
      member = await openZipMember(src);
      // The header may lie, and the stream is checked anyway; an honest one saves the work.
      budget.check(member.declaredSize);
      ({ raw: source, compressedSize: total, stages } = member);
    } else {
      source = createReadStream(src, { highWaterMark: 1 << 20 });
      total = inputBytes;
      stages = [decoder(format, budget)];
    }
    const upstream = [source, progressCounter(total, o.progress), ...stages, budget.meter()];
    const out = createWriteStream(part, { flush: true });
    // pipeline() hands an upstream error to the file stream too; only an error of its own is a write failure.
    let upstreamFailed = false;
    for (const s of upstream)
      s.once('error', () => {
        upstreamFailed = true;
      });
    out.on('error', (e) => {
      if (!upstreamFailed) writeError = e;
    });
    await pipeline([...upstream, out], { signal: o.signal });
  } catch (e) {
    await rm(part, { force: true });
    if (isGlanceImportError(e) || (e as Error).name === 'AbortError') throw e;
    if (e === writeError) throw giError('GI_DECOMPRESS_WRITE_FAILED', { path: part, reason: (e as Error).message }, { cause: e });
    throw giError('GI_DECOMPRESS_CORRUPT', { format, reason: (e as Error).message }, { cause: e });
  } finally {
    member?.close();
  }
  try {
    await rename(part, dest);
    await syncDir(path.dirname(dest));
  } catch (e) {
    await rm(part, { force: true });
    await rm(dest, { force: true });
    throw giError('GI_DECOMPRESS_WRITE_FAILED', { path: dest, reason: (e as Error).message }, { cause: e });
  }
  return { inputBytes, outputBytes: budget.used };
}

/** Make the rename itself durable. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
