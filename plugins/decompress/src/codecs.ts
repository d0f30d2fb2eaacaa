import { Duplex, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import xzDecompress from 'xz-decompress';
import { giError } from './errors.js';
import type { OutputBudget } from './budget.js';
import { bzip2 } from './bzip2.js';
import { zstd } from './zstd.js';

/** xz-embedded's return codes (xz.h), as xz-decompress reports them. */
const XZ_ERRORS: Record<string, string> = {
  '5': 'the data is not an xz stream',
  '6': 'the stream uses filters or options the decoder does not support',
  '7': 'the data is corrupt',
  '8': 'the data ends early',
};

async function* xz(source: AsyncIterable<Buffer>): AsyncGenerator<Uint8Array> {
  // The decoder runs in WebAssembly with xz-embedded: dictionaries up to 64 MiB (xz -9), and it
  // goes on through concatenated streams as `xz -d` does.
  const decoded = new xzDecompress.XzReadableStream(Readable.toWeb(Readable.from(source)) as ReadableStream<Uint8Array>);
  try {
    yield* Readable.fromWeb(decoded as import('node:stream/web').ReadableStream<Uint8Array>);
  } catch (e) {
    const code = /error code (\d+)/.exec((e as Error).message)?.[1];
    if (code === '4') throw giError('GI_DECOMPRESS_MEMORY', { format: 'xz', needed: 'a dictionary over 64 MiB', limit: '64 MiB' });
    throw code && XZ_ERRORS[code] ? new Error(XZ_ERRORS[code]) : e;
  }
}

/** The stage that turns the whole staged file of a stream format into the image's bytes. */
export function decoder(format: 'gzip' | 'zstd' | 'xz' | 'bzip2', budget: OutputBudget): Duplex {
  switch (format) {
    // zlib honours backpressure, so the meter after it bounds memory on its own.
    case 'gzip':
      return createGunzip({ chunkSize: 1 << 20 });
    case 'xz':
      return Duplex.from(xz);
    case 'zstd':
      return Duplex.from((source: AsyncIterable<Buffer>) => zstd(source, budget));
    case 'bzip2':
      return Duplex.from((source: AsyncIterable<Buffer>) => bzip2(source, budget));
  }
}
