import bzip2Block from 'unbzip2-stream/lib/bzip2.js';
import bitIterator from 'unbzip2-stream/lib/bit_iterator.js';
import { isGlanceImportError } from '@glance-import/core';
import type { OutputBudget } from './budget.js';

const CHUNK = 1 << 20;
/** unbzip2-stream's own rule: a whole compressed block (at most ~925 kB) must be buffered before decoding it. */
const blockReserve = (level: number) => (level ? 25000 + 100000 * level : 4);

/**
 * bzip2 streams (concatenated ones too, as pbzip2 writes them), decoded block by block. We drive
 * unbzip2-stream's block decoder ourselves: its stream wrapper collects each block as an array of
 * numbers, about 1.4 GB for one 46 MB block of a bomb, where this writes into 1 MiB buffers.
 */
export async function* bzip2(source: AsyncIterable<Buffer>, budget: OutputBudget): AsyncGenerator<Uint8Array> {
  const queue: Buffer[] = [];
  let received = 0;
  let bits: ReturnType<typeof bitIterator> | undefined;
  let level = 0;
  let streamCRC: number | null = null;
  let work = new Int32Array(0);
  let out: Buffer[] = [];
  let pending = 0;
  let buf = Buffer.allocUnsafe(CHUNK);
  let pos = 0;
  const write = (byte: number) => {
    buf[pos++] = byte;
    if (pos === CHUNK) {
      budget.check(pending + CHUNK);
      pending += CHUNK;
      out.push(buf);
      buf = Buffer.allocUnsafe(CHUNK);
      pos = 0;
    }
  };
  const step = () => {
    try {
      decodeNext();
    } catch (e) {
      if (isGlanceImportError(e)) throw e;
      // The bit reader runs off the end of its queue with a TypeError; the decoder's own messages are whimsical.
      throw new Error(e instanceof TypeError ? 'the data ends early' : `the data is corrupt (decoder: ${(e as Error).message})`);
    }
  };
  const decodeNext = () => {
    if (!level) {
      level = bzip2Block.header(bits!);
      if (work.length !== 100000 * level) work = new Int32Array(100000 * level);
      streamCRC = 0;
      return;
    }
    streamCRC = bzip2Block.decompress(bits!, write, work, 100000 * level, streamCRC);
    if (streamCRC === null) level = 0;
    if (pos) {
      budget.check(pending + pos);
      out.push(Buffer.from(buf.subarray(0, pos)));
      pos = 0;
    }
  };
  const drain = () => {
    const ready = out;
    out = [];
    pending = 0;
    return ready;
  };

  for await (const chunk of source) {
    queue.push(chunk);
    received += chunk.length;
    bits ??= bitIterator(() => queue.shift());
    while (received - bits.bytesRead + 1 >= blockReserve(level)) {
      step();
      yield* drain();
    }
  }
  while (bits && received > bits.bytesRead) {
    step();
    yield* drain();
  }
  if (streamCRC !== null) throw new Error('the data ends inside a stream');
}
