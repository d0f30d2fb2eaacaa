import { reasonOf } from '@glance-import/errors';
import { giError } from './errors.js';
import { MAX_NEED, MAX_TAIL, type Finding, type Need } from './probe.js';
import { PROBES } from './probes.js';
import { ProbeRun } from './run.js';
import { verdict, type InspectionResult, type InspectOptions } from './verdict.js';

/** A region being filled from the stream, in order. */
interface Slot {
  need: Need;
  buf: Buffer;
  filled: number;
}

const isTail = (s: Slot) => 'tail' in s.need;
const complete = (s: Slot) => !isTail(s) && s.filled === s.buf.length;
/** A region that began before what is retained and was not captured can no longer be read. */
const lostBefore = (s: Slot, pos: number) => !isTail(s) && !complete(s) && (s.need as { at: number }).at + s.filled < pos;
const LOST = 'a header points back to data already streamed past';

/**
 * Inspect data in one pass while it is written elsewhere: feed every chunk to `update`, then ask
 * for `result()`. Memory is bounded whatever the data: the first MiB (formats point back into it),
 * the last 4 KiB (footers), and the regions the probes asked for (at most 1 MiB each). Chunks are
 * copied, so the caller may reuse its buffers.
 */
export class StreamInspector {
  private readonly runs = PROBES.map((p) => new ProbeRun(p));
  private readonly slots = new Map<ProbeRun, Slot[]>();
  /** The first MiB of the stream (grown as it arrives); `pos` tells how much of it is filled. */
  private head = Buffer.allocUnsafe(64 * 1024);
  private readonly tail = Buffer.alloc(MAX_TAIL);
  private pos = 0;
  private findings: Finding[] | undefined;

  constructor() {
    for (const run of this.runs) this.slots.set(run, this.open(run));
  }

  get bytesSeen(): number {
    return this.pos;
  }

  update(chunk: Uint8Array): void {
    if (this.findings) throw new Error('StreamInspector.update() after result()');
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const start = this.pos;
    this.pos += data.length;
    if (start < MAX_NEED) this.keepHead(data, start);
    this.keepTail(data, start);
    for (const run of this.runs) if (!run.done) this.advance(run, data, start);
  }

  /** The verdict; the first call ends the stream (later update() calls throw). */
  result(opts: InspectOptions = {}): InspectionResult {
    this.findings ??= this.collect();
    return verdict(this.findings, this.pos, opts);
  }

  private collect(): Finding[] {
    for (const run of this.runs) {
      while (!run.done) {
        if (this.slots.get(run)!.some((s) => lostBefore(s, this.pos))) {
          run.crash(new Error(LOST));
          break;
        }
        const answers = this.slots.get(run)!.map((s) => (isTail(s) ? this.lastBytes((s.need as { tail: number }).tail) : s.buf.subarray(0, s.filled)));
        run.resume(answers);
        this.slots.set(run, this.open(run));
      }
    }
    return this.runs.flatMap((r) => (r.finding ? [r.finding] : []));
  }

  private advance(run: ProbeRun, data: Buffer, start: number): void {
    while (!run.done) {
      const slots = this.slots.get(run)!;
      for (const s of slots) if (!isTail(s)) fill(s, data, start);
      if (slots.some((s) => lostBefore(s, this.pos))) return run.crash(new Error(LOST));
      if (slots.length > 0 && !slots.every(complete)) return;
      run.resume(slots.map((s) => s.buf));
      this.slots.set(run, this.open(run));
    }
  }

  /** Slots for a probe's current needs, filled as far as the retained head allows. */
  private open(run: ProbeRun): Slot[] {
    return run.needs.map((need) => {
      const slot: Slot = { need, buf: Buffer.alloc('tail' in need ? 0 : need.length), filled: 0 };
      if (!isTail(slot)) fill(slot, this.head.subarray(0, Math.min(this.pos, MAX_NEED)), 0);
      return slot;
    });
  }

  private keepHead(data: Buffer, start: number): void {
    const end = Math.min(MAX_NEED, this.pos);
    if (end > this.head.length) {
      const grown = Buffer.allocUnsafe(Math.min(MAX_NEED, Math.max(end, this.head.length * 2)));
      this.head.copy(grown, 0, 0, start);
      this.head = grown;
    }
    data.copy(this.head, start, 0, end - start);
  }

  /** The last MAX_TAIL bytes, as a ring: byte `p` of the stream sits at `p % MAX_TAIL`. */
  private keepTail(data: Buffer, start: number): void {
    const keep = data.subarray(Math.max(0, data.length - MAX_TAIL));
    let p = start + data.length - keep.length;
    for (let done = 0; done < keep.length;) {
      const at = p % MAX_TAIL;
      const n = keep.copy(this.tail, at, done, done + Math.min(keep.length - done, MAX_TAIL - at));
      done += n;
      p += n;
    }
  }

  private lastBytes(n: number): Buffer {
    const len = Math.min(n, this.pos, MAX_TAIL);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = this.tail[(this.pos - len + i) % MAX_TAIL]!;
    return out;
  }
}

/** Copy into the slot whatever of `data` (which starts at stream offset `start`) it needs next. */
function fill(slot: Slot, data: Buffer, start: number): void {
  const want = (slot.need as { at: number }).at + slot.filled;
  if (slot.filled === slot.buf.length || want < start || want >= start + data.length) return;
  slot.filled += data.copy(slot.buf, slot.filled, want - start);
}

/** Inspect a stream to its end (a Node Readable, a web ReadableStream, any async iterable of bytes). */
export async function inspectStream(readable: AsyncIterable<Uint8Array | string>, opts: InspectOptions = {}): Promise<InspectionResult> {
  const inspector = new StreamInspector();
  try {
    for await (const chunk of readable) inspector.update(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  } catch (e) {
    throw giError('GI_INSPECT_READ_FAILED', { source: 'the stream', reason: reasonOf(e) }, { cause: e });
  }
  return inspector.result(opts);
}
