import { open, type FileHandle } from 'node:fs/promises';
import { reasonOf } from '@glance-import/errors';
import { giError } from './errors.js';
import type { Need } from './probe.js';
import { PROBES } from './probes.js';
import { runAll } from './run.js';
import { verdict, type InspectionResult, type InspectOptions } from './verdict.js';

async function readAt(fh: FileHandle, at: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, at + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/**
 * Inspect a file with positioned reads of just the regions the formats need (a few KiB for most
 * images), never the whole file. Garbage data gives a verdict; only an unreadable file throws
 * (GI_INSPECT_READ_FAILED).
 */
export async function inspectFile(path: string, opts: InspectOptions = {}): Promise<InspectionResult> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'r');
    const stat = await fh.stat();
    if (!stat.isFile()) throw new Error('not a regular file');
    const size = stat.size;
    const handle = fh;
    const read = (n: Need) =>
      'tail' in n ? readAt(handle, Math.max(0, size - n.tail), Math.min(n.tail, size)) : readAt(handle, n.at, Math.max(0, Math.min(n.length, size - n.at)));
    const runs = await runAll(PROBES, read);
    return verdict(
      runs.flatMap((r) => (r.finding ? [r.finding] : [])),
      size,
      opts,
    );
  } catch (e) {
    throw giError('GI_INSPECT_READ_FAILED', { source: `'${path}'`, reason: reasonOf(e) }, { cause: e });
  } finally {
    await fh?.close();
  }
}
