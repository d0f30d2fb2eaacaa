import { Decompress } from 'fzstd';
import xxhash from 'xxhash-wasm';
import { giError } from './errors.js';
import type { OutputBudget } from './budget.js';

/** `zstd -d` refuses frames needing a larger window unless given --memory; so do we. */
export const ZSTD_MAX_WINDOW = 128 * 1024 * 1024;

const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC = 0x184d2a50;
const mib = (n: number) => `${Math.round(n / 1048576)} MiB`;
const corrupt = (reason: string) => giError('GI_DECOMPRESS_CORRUPT', { format: 'zstd', reason });
const le = (b: readonly number[], from: number, n: number) => {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[from + i]!;
  return v;
};

/** Bytes of one zstd frame (at most one block's worth), or the end of that frame with its content checksum (if it has one). */
export type FramePiece = Uint8Array | { end: true; checksum: number | null };

/**
 * Walks the frame structure (headers and block sizes only) ahead of the decoder and cuts the input
 * into frames. fzstd allocates each frame's declared window up front, so a 30-byte frame could
 * claim 1 GiB; and it never checks content checksums, so we do, which needs each frame on its own.
 * Skippable frames are dropped here.
 */
export class ZstdFrames {
  private state: 'magic' | 'skippable' | 'descriptor' | 'header' | 'block' | 'blockEnd' | 'checksum' = 'magic';
  private need = 4;
  private head: number[] = [];
  private skip = 0;
  private descriptor = 0;
  private lastBlock = false;
  private inFrame = false;
  private pieces: FramePiece[] = [];
  private from = 0;

  split(chunk: Uint8Array): FramePiece[] {
    this.pieces = [];
    this.from = 0;
    let i = 0;
    for (;;) {
      if (this.skip > 0) {
        if (i === chunk.length) break;
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
      } else if (this.head.length === this.need) {
        const head = this.head;
        this.head = [];
        this.step(head, chunk, i);
      } else if (i === chunk.length) {
        break;
      } else {
        this.head.push(chunk[i++]!);
      }
    }
    if (this.inFrame && this.from < chunk.length) this.pieces.push(chunk.subarray(this.from));
    return this.pieces;
  }

  private expect(state: ZstdFrames['state'], need: number, skip = 0): void {
    this.state = state;
    this.need = need;
    this.skip = skip;
  }

  private step(h: number[], chunk: Uint8Array, at: number): void {
    switch (this.state) {
      case 'magic': {
        const magic = le(h, 0, 4);
        if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) return this.expect('skippable', 4);
        if (magic !== FRAME_MAGIC) throw corrupt('a frame does not start with the zstd magic number');
        this.pieces.push(Uint8Array.from(h));
        this.inFrame = true;
        this.from = at;
        return this.expect('descriptor', 1);
      }
      case 'skippable':
        return this.expect('magic', 4, le(h, 0, 4));
      case 'descriptor': {
        const d = (this.descriptor = h[0]!);
        if (d & 0x08) throw corrupt('a frame header sets the reserved bit');
        const single = (d >> 5) & 1;
        return this.expect('header', (single ? 0 : 1) + [0, 1, 2, 4][d & 3]! + [single, 2, 4, 8][d >> 6]!);
      }
      case 'header': {
        const d = this.descriptor;
        const single = (d >> 5) & 1;
        const dictBytes = [0, 1, 2, 4][d & 3]!;
        if (dictBytes && le(h, single ? 0 : 1, dictBytes) !== 0) throw corrupt('a frame needs a zstd dictionary, which the decoder does not have');
        let window: number;
        if (single) {
          window = le(h, dictBytes, h.length - dictBytes) + (d >> 6 === 1 ? 256 : 0);
        } else {
          const base = 2 ** (10 + (h[0]! >> 3));
          window = base + (base / 8) * (h[0]! & 7);
        }
        if (window > ZSTD_MAX_WINDOW) throw giError('GI_DECOMPRESS_MEMORY', { format: 'zstd', needed: mib(window), limit: mib(ZSTD_MAX_WINDOW) });
        return this.expect('block', 3);
      }
      case 'block': {
        const header = le(h, 0, 3);
        const type = (header >> 1) & 3;
        if (type === 3) throw corrupt('a block has the reserved type');
        this.lastBlock = (header & 1) === 1;
        return this.expect('blockEnd', 0, type === 1 ? 1 : header >>> 3);
      }
      case 'blockEnd':
        // One piece per block, so the decoder can be drained between blocks.
        this.pieces.push(chunk.subarray(this.from, at));
        this.from = at;
        if (!this.lastBlock) return this.expect('block', 3);
        if ((this.descriptor >> 2) & 1) return this.expect('checksum', 4);
        return this.endFrame(null);
      case 'checksum':
        this.pieces.push(chunk.subarray(this.from, at));
        return this.endFrame(le(h, 0, 4));
    }
  }

  private endFrame(checksum: number | null): void {
    this.pieces.push({ end: true, checksum });
    this.inFrame = false;
    this.expect('magic', 4);
  }

  /** True between frames: the input may end here. */
  get atBoundary(): boolean {
    return this.state === 'magic' && this.head.length === 0 && this.skip === 0;
  }
}

let hasher: ReturnType<typeof xxhash> | undefined;

/** zstd frames (several, and skippable ones, as `zstd -d` accepts) decoded as they stream. */
export async function* zstd(source: AsyncIterable<Buffer>, budget: OutputBudget): AsyncGenerator<Uint8Array> {
  const { create64 } = await (hasher ??= xxhash());
  const frames = new ZstdFrames();
  let out: Uint8Array[] = [];
  let pending = 0;
  let hash = create64();
  // fzstd is synchronous and one input chunk can hold thousands of blocks: count inside the callback.
  const onData = (chunk: Uint8Array) => {
    budget.check(pending + chunk.length);
    pending += chunk.length;
    hash.update(chunk);
    out.push(chunk);
  };
  let decoder = new Decompress(onData);
  const drain = () => {
    const ready = out;
    out = [];
    pending = 0;
    return ready;
  };
  for await (const chunk of source) {
    for (const piece of frames.split(chunk)) {
      if (piece instanceof Uint8Array) {
        if (piece.length) decoder.push(piece);
        // A 4-byte block can stand for 128 KiB: hand output on as it comes, not per input chunk.
        if (pending >= 1 << 20) yield* drain();
        continue;
      }
      decoder.push(new Uint8Array(0), true);
      // The frame checksum is the low 32 bits of the XXH64 of the frame's content.
      if (piece.checksum !== null && Number(hash.digest() & 0xffffffffn) !== piece.checksum) throw corrupt('a frame fails its content checksum');
      hash = create64();
      decoder = new Decompress(onData);
    }
    yield* drain();
  }
  if (!frames.atBoundary) throw corrupt('the data ends inside a frame');
}
