import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The body of a request that announces its length, read straight off the socket into 1 MiB blocks
 * of ours instead of through Node's HTTP parser, which copies every 64 KiB read into a buffer of
 * its own and calls into JavaScript for each. For a 1 GiB `PUT /stage` on two cores: the main
 * thread 0.4 CPU-s instead of 1.0-1.2, the round 2.1-2.15 s instead of 2.5-2.7.
 *
 * It reaches into Node's `http.Server` (the parser's `unconsume`, the socket's `onread` slots, as
 * Node's own upgrade handling and `net.connect({ onread })` use them); when any of that is not
 * there, or the body is chunked or already parsed whole, it answers undefined and the caller reads
 * the request as usual. The connection closes after the response: with the parser bypassed, nothing
 * knows where a next request on it would start.
 */

const BLOCK = 1024 * 1024;
/** Less free space than this left in a block, the next read takes a new one: reads stay large. */
const MIN_READ = 64 * 1024;
/** Body bytes waiting for the consumer before the socket stops reading (backpressure). */
const HIGH_WATER = 2 * BLOCK;
/** Blocks kept for reading into again once released (`release`): fresh ones for every MiB were eight uploads' 256 MiB of RSS. */
const SPARE = 4;
/** Full blocks remembered until released. */
const RETIRED = 16;

/** A taken-over body. `release(n)`: nothing downstream holds any of its first n bytes any more (a file writer's `onWritten`). */
export interface TakenBody extends AsyncIterable<Buffer> {
  release(bytes: number): void;
}

interface Handle {
  reading?: boolean;
  readStart(): number;
  useUserBuffer?: (buffer: Uint8Array) => void;
}
interface Parser {
  _consumed?: boolean;
  unconsume?: () => void;
}
type Internals = { parser?: Parser | null; _handle?: Handle | null; encrypted?: boolean } & Record<symbol, unknown>;
/** What the server's hooks need of a taken-over body, by request. */
const taken = new WeakMap<IncomingMessage, { rest(): Promise<void> | undefined; afterDelivery(then: () => void): boolean }>();

/**
 * For a taken-over body not read to its end (a refusal stopped the reading): drops the rest as it
 * arrives and resolves once it all came (or the connection failed). Await it before answering: the
 * connection closes after the answer, and unread data then resets it under a client still sending
 * (python-glanceclient sends the whole body before it reads). Undefined when there is nothing to wait for.
 */
export function restOfBody(req: IncomingMessage): Promise<void> | undefined {
  return taken.get(req)?.rest();
}

/**
 * For a taken-over body whose connection broke: runs `then` once the reader has been given every
 * byte that arrived before the break (it then reads the failure), and answers true; false when there
 * is no such body or nothing is left to give (run it now). An abort on the close itself would cut
 * off data still queued, which a resumable upload keeps.
 */
export function afterDelivery(req: IncomingMessage, then: () => void): boolean {
  return taken.get(req)?.afterDelivery(then) ?? false;
}

interface Slots {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}

/** net.Socket's own slots for `onread`, found by their names (every socket has them, set to null). */
function slotsOf(socket: object): Slots | undefined {
  const by = new Map(Object.getOwnPropertySymbols(socket).map((s) => [s.description, s]));
  const [buffer, callback, generator] = ['kBuffer', 'kBufferCb', 'kBufferGen'].map((name) => by.get(name));
  return buffer && callback && generator ? { buffer, callback, generator } : undefined;
}

export function takeOverBody(req: IncomingMessage, res: ServerResponse): TakenBody | undefined {
  const declared = req.headers['content-length'];
  if (req.headers['transfer-encoding'] !== undefined || declared === undefined || !/^\d+$/.test(declared)) return undefined;
  if (req.complete || req.readableEnded || req.httpVersionMajor !== 1) return undefined;
  const socket = req.socket as unknown as Internals;
  const { parser, _handle: handle } = socket;
  if (socket.encrypted || !parser?._consumed || typeof parser.unconsume !== 'function' || typeof handle?.useUserBuffer !== 'function') return undefined;
  const slots = slotsOf(socket);
  if (!slots) return undefined;

  const length = Number(declared);
  const queue: Buffer[] = [];
  let queued = 0;
  let received = 0;
  let ended = false;
  let stopped = false;
  let paused = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const settled: Array<() => void> = [];
  const delivered: Array<() => void> = [];
  let block: Buffer = Buffer.allocUnsafeSlow(BLOCK);
  let fill = 0;

  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
    if (ended || failure) for (const s of settled.splice(0)) s();
  };
  const take = (bytes: Buffer) => {
    const n = Math.min(bytes.length, length - received);
    received += n;
    // A consumer that stopped early leaves the rest to be read and dropped, so the client, still
    // sending, gets to read the answer.
    if (!stopped && n > 0) {
      queue.push(n === bytes.length ? bytes : bytes.subarray(0, n));
      queued += n;
    }
    if (received === length) {
      ended = true;
      req.complete = true;
    }
    notify();
  };
  const read = () => {
    if (!handle.reading) {
      handle.reading = true;
      handle.readStart();
    }
  };
  // A block is read into again only once every body byte read into it was released; never the first,
  // whose first bytes the format check keeps a view of. After a refusal, reads go to a scratch block
  // of their own: they are dropped.
  const retired: Array<{ block: Buffer; end: number }> = [];
  const spare: Buffer[] = [];
  let firstBlock = true;
  let scratch: Buffer | undefined;
  const release = (bytes: number) => {
    while (retired.length && retired[0]!.end <= bytes) {
      const r = retired.shift()!;
      if (spare.length < SPARE) spare.push(r.block);
    }
  };
  const nextBuffer = () => {
    if (stopped) return (scratch ??= Buffer.allocUnsafeSlow(BLOCK));
    if (BLOCK - fill < MIN_READ) {
      if (!firstBlock) retired.push({ block, end: received });
      // A reader that never releases leaves its blocks to the GC.
      if (retired.length > RETIRED) retired.shift();
      firstBlock = false;
      block = spare.pop() ?? Buffer.allocUnsafeSlow(BLOCK);
      fill = 0;
    }
    return block.subarray(fill);
  };
  const onRead = (nread: number, buf: Buffer): boolean => {
    if (buf !== scratch) fill += nread;
    if (ended) return false;
    take(buf.subarray(0, nread));
    if (ended) return false;
    if (queued < HIGH_WATER) return true;
    paused = true;
    return false;
  };

  const stop = () => {
    stopped = true;
    queue.length = 0;
    queued = 0;
    for (const d of delivered.splice(0)) d();
    if (paused && !ended) {
      paused = false;
      read();
    }
  };
  taken.set(req, {
    rest() {
      if (ended || failure) return undefined;
      stop();
      return new Promise<void>((r) => settled.push(r));
    },
    afterDelivery(then) {
      if (stopped || ended || queue.length === 0) return false;
      delivered.push(then);
      return true;
    },
  });

  parser.unconsume();
  parser._consumed = false;
  socket[slots.generator] = nextBuffer;
  socket[slots.callback] = onRead;
  const first = nextBuffer();
  socket[slots.buffer] = first;
  handle.useUserBuffer(first);
  res.shouldKeepAlive = false;
  // What the parser already gave the request (read with the slots set: a read from here on comes to us).
  for (let chunk = req.read() as Buffer | null; chunk !== null; chunk = req.read() as Buffer | null) take(chunk);
  if (!ended) read();
  req.socket.once('close', () => {
    if (ended) return;
    failure = new Error('the connection closed before the end of the data');
    notify();
  });

  return {
    release,
    [Symbol.asyncIterator]: () => ({
      async next(): Promise<IteratorResult<Buffer>> {
        for (;;) {
          const chunk = queue.shift();
          if (chunk) {
            queued -= chunk.length;
            if (paused && queued <= HIGH_WATER / 2) {
              paused = false;
              read();
            }
            return { done: false, value: chunk };
          }
          if (ended) return { done: true, value: undefined };
          if (failure) {
            for (const d of delivered.splice(0)) d();
            throw failure;
          }
          await new Promise<void>((r) => (wake = r));
        }
      },
      async return(): Promise<IteratorResult<Buffer>> {
        stop();
        return { done: true, value: undefined };
      },
    }),
  };
}
