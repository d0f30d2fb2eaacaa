/**
 * Pass a request body through while looking at it: the format inspector sees every chunk in the
 * same pass that writes it, and a client that goes away aborts the write.
 */
export async function* tap(source: AsyncIterable<Buffer>, onChunk: (chunk: Buffer) => void): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    onChunk(chunk);
    yield chunk;
  }
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
