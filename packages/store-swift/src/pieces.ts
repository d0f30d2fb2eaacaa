/**
 * Cuts one stream into consecutive pieces of at most `size` bytes (the segments of a large object),
 * each read as its own iterable, without copying: a chunk that straddles a boundary is split into two
 * views. Only the chunk being handed on is held.
 */
export class Pieces {
  private readonly it: AsyncIterator<Buffer>;
  private carry: Buffer | undefined;
  private ended = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** The next piece of at most `size` bytes, or undefined at the end of the stream (never an empty piece). */
  async next(size: number): Promise<AsyncIterable<Buffer> | undefined> {
    const first = await this.take();
    if (!first) return undefined;
    this.carry = first;
    return this.piece(size);
  }

  /** Releases the source early (a failed write). */
  async close(): Promise<void> {
    if (!this.ended) await this.it.return?.();
  }

  private async take(): Promise<Buffer | undefined> {
    if (this.carry) {
      const chunk = this.carry;
      this.carry = undefined;
      return chunk;
    }
    while (!this.ended) {
      const step = await this.it.next();
      if (step.done) this.ended = true;
      else if (step.value.length > 0) return step.value;
    }
    return undefined;
  }

  private async *piece(size: number): AsyncGenerator<Buffer> {
    let left = size;
    while (left > 0) {
      const chunk = await this.take();
      if (!chunk) return;
      if (chunk.length > left) {
        this.carry = chunk.subarray(left);
        yield chunk.subarray(0, left);
        return;
      }
      left -= chunk.length;
      yield chunk;
    }
  }
}
