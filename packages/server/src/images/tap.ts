/**
 * Pass a request body through while looking at it: the format inspector sees every chunk in the
 * same pass that writes it, and a client that goes away aborts the write. A plain iterator, not an
 * async generator: a generator's yield costs several promise turns per 64 KiB chunk.
 */
export function tap(source: AsyncIterable<Buffer>, onChunk: (chunk: Buffer) => void): AsyncIterable<Buffer> {
  return {
    [Symbol.asyncIterator]() {
      const it = source[Symbol.asyncIterator]();
      // As a generator's for-await would: a reader that stops early, or a look that fails, ends the source.
      const close = async () => {
        await it.return?.();
        return { done: true as const, value: undefined };
      };
      return {
        next: () =>
          it.next().then((step) => {
            if (step.done) return step;
            try {
              onChunk(step.value);
            } catch (e) {
              it.return?.()?.catch(() => undefined);
              throw e;
            }
            return step;
          }),
        return: close,
      };
    },
  };
}

/** First bytes of a stream, kept as they pass (compression magic is read from them). */
export class Head {
  private parts: Buffer[] = [];
  private size = 0;
  constructor(private readonly want = 16) {}
  push(chunk: Buffer): void {
    if (this.size >= this.want) return;
    this.parts.push(chunk.subarray(0, this.want - this.size));
    this.size += Math.min(chunk.length, this.want - this.size);
  }
  get bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}
