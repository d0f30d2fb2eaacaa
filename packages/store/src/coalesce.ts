import { CHUNK_SIZE, type Source } from './types.js';

/**
 * Joins the small chunks a socket yields (64 KiB) into chunks of about `size`, so the per-chunk
 * costs of the byte path (two hand-overs to the hashing workers, a write, a progress report) are
 * paid 16 times less often. Larger chunks pass as they are.
 */
export async function* coalesce(source: Source, size = CHUNK_SIZE): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  try {
    yield* join();
  } catch (e) {
    // What arrived before the source broke off still counts (a kept upload resumes after it).
    if (held > 0) yield Buffer.concat(parts, held);
    held = 0;
    throw e;
  }
  if (held > 0) yield Buffer.concat(parts, held);

  async function* join(): AsyncGenerator<Buffer> {
    for await (const chunk of source as AsyncIterable<Buffer | Uint8Array | string>) {
      if (typeof chunk === 'string') throw new TypeError('the source yields strings, not bytes (was an encoding set on the stream?)');
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      if (held === 0 && buf.length >= size) {
        yield buf;
        continue;
      }
      parts.push(buf);
      held += buf.length;
      if (held >= size) {
        yield Buffer.concat(parts, held);
        parts = [];
        held = 0;
      }
    }
  }
}
