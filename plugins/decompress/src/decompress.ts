import { createReadStream } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Transform, Writable, type Duplex, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isGlanceImportError, type ProgressReporter } from '@glance-import/core';
import { createHasher, createWorkerHasher, fileWriter, type HashResult, type Hasher } from '@glance-import/store';
import { giError } from './errors.js';
import { OutputBudget, type Limits } from './budget.js';
import { decoder } from './codecs.js';
import type { Format } from './detect.js';
import { openZipMember, type ZipMember } from './zip.js';

export interface DecompressOptions {
  limits: Omit<Limits, 'inputBytes'>;
  signal: AbortSignal;
  progress: ProgressReporter;
  /** md5 and this (`os_hash_algo`) are taken of the output as it is written, for the store write. */
  hashAlgo?: string;
}

/** Below this much input, hashing on this thread costs less than handing chunks to the worker threads. */
const WORKER_MIN_BYTES = 64 * 1024 * 1024;

/**
 * Hashes the output on its way to the file: the store write then takes the file with these hashes
 * instead of reading it all again, and the hashing overlaps the decompression.
 */
function hashing(h: Hasher): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, next) {
      const wait = h.update(chunk);
      // The chunk goes on only once the hasher has taken it: its backpressure reaches the decoder.
      if (wait) wait.then(() => next(null, chunk), next);
      else next(null, chunk);
    },
  });
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
 * written. Returns the sizes in and out, and the output's hashes when `hashAlgo` was given.
 */
export async function decompressFile(
  src: string,
  dest: string,
  format: Format,
  o: DecompressOptions,
): Promise<{ inputBytes: number; outputBytes: number; hashes?: HashResult }> {
  const inputBytes = (await stat(src)).size;
  const budget = new OutputBudget(format, { ...o.limits, inputBytes });
  const part = `${dest}.part`;
  let member: ZipMember | undefined;
  let writeError: unknown;
  let out: FileHandle | undefined;
  let hasher: Hasher | undefined;
  let hashes: HashResult | undefined;
  // Only an error of the output file itself is a write failure; the rest is the data's.
  const writing = <T>(p: Promise<T>) =>
    p.catch((e: unknown) => {
      writeError = e;
      throw e;
    });
  try {
    out = await writing(open(part, 'w'));
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
    if (o.hashAlgo) hasher = inputBytes >= WORKER_MIN_BYTES ? createWorkerHasher(o.hashAlgo) : createHasher(o.hashAlgo);
    const upstream = [source, progressCounter(total, o.progress), ...stages, budget.meter(), ...(hasher ? [hashing(hasher)] : [])];
    // The output goes through the store's writer: batched writes, and syncs in the background as it
    // grows, so the disk keeps up with the decoder instead of taking the whole file at the end.
    const writer = fileWriter(out);
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        // No promise while the writer's batch only fills.
        const full = writer.write(chunk);
        if (full) void writing(full).then(() => done(), done);
        else done();
      },
      final: (done) => void writing(writer.sync()).then(() => done(), done),
    });
    try {
      await pipeline([...upstream, sink], { signal: o.signal });
    } finally {
      await writer.settle();
    }
    hashes = await hasher?.digest();
  } catch (e) {
    hasher?.dispose?.();
    await out?.close();
    out = undefined;
    await rm(part, { force: true });
    if (isGlanceImportError(e) || (e as Error).name === 'AbortError') throw e;
    if (e === writeError) throw giError('GI_DECOMPRESS_WRITE_FAILED', { path: part, reason: (e as Error).message }, { cause: e });
    throw giError('GI_DECOMPRESS_CORRUPT', { format, reason: (e as Error).message }, { cause: e });
  } finally {
    await out?.close();
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
  return { inputBytes, outputBytes: budget.used, ...(hashes ? { hashes } : {}) };
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
