import { asMeasured, type Measured } from './measure.js';

const DETACHED = -1;

/**
 * One read of a source shared by several readers (one per store). A chunk is read once and dropped
 * when every reader has taken it; no reader runs more than `window` chunks ahead of the slowest, so
 * the slowest store sets the pace and memory stays at `window` chunks. Once a reader is detached
 * (its store finished or failed) it no longer holds the others back.
 */
export class Split {
  private readonly chunks: Buffer[] = [];
  /** Index in the source of `chunks[0]`. */
  private base = 0;
  /** Next chunk index per reader, or DETACHED. */
  private readonly pos: number[];
  private readonly it: AsyncIterator<Buffer>;
  private pulling = false;
  private ended = false;
  private failure: { error: unknown } | undefined;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly source: Measured,
    readers: number,
    private readonly window = 4,
  ) {
    this.pos = new Array<number>(readers).fill(0);
    this.it = source[Symbol.asyncIterator]();
  }

  /** The error of the source itself (a limit, an abort, a read error), if it failed. */
  get sourceFailure(): { error: unknown } | undefined {
    return this.failure;
  }

  /**
   * Reader `i`'s view of the data; its result() is the shared digest. A reader that stops reading
   * keeps its place until detach(i): a store that failed holds the others back until its failure is
   * known, so fail-fast stops them within `window` chunks.
   */
  branch(i: number): Measured {
    let closed = false;
    const next = async (): Promise<IteratorResult<Buffer>> => {
      for (;;) {
        const at = this.pos[i]!;
        if (closed || at === DETACHED) return { done: true, value: undefined };
        const chunk = this.chunks[at - this.base];
        if (chunk !== undefined) {
          this.pos[i] = at + 1;
          this.trim();
          return { done: false, value: chunk };
        }
        if (this.failure) throw this.failure.error;
        if (this.ended) return { done: true, value: undefined };
        if (!this.pulling && this.chunks.length < this.window) this.pull();
        await new Promise<void>((resolve) => this.waiters.push(resolve));
      }
    };
    const stop = async (): Promise<IteratorResult<Buffer>> => {
      closed = true;
      return { done: true, value: undefined };
    };
    return asMeasured(
      () => ({ next, return: stop }),
      () => this.source.result(),
    );
  }

  /** Reader `i` is gone (its store finished or failed): it no longer holds the others back. */
  detach(i: number): void {
    if (this.pos[i] === DETACHED) return;
    this.pos[i] = DETACHED;
    this.trim();
    if (this.pos.every((p) => p === DETACHED) && !this.ended && !this.failure) {
      // Nobody reads any more: release the source now rather than reading it to the end.
      this.it.return?.().catch(() => undefined);
    }
  }

  private pull(): void {
    this.pulling = true;
    this.it
      .next()
      .then(
        (step) => {
          if (step.done) this.ended = true;
          else this.chunks.push(step.value);
        },
        (error: unknown) => {
          this.failure = { error };
        },
      )
      .finally(() => {
        this.pulling = false;
        this.wake();
      });
  }

  /** Drops chunks every attached reader has taken. */
  private trim(): void {
    const attached = this.pos.filter((p) => p !== DETACHED);
    const slowest = attached.length ? Math.min(...attached) : this.base + this.chunks.length;
    while (this.base < slowest && this.chunks.length) {
      this.chunks.shift();
      this.base++;
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
