import { Worker } from 'node:worker_threads';
import { checkHashAlgo, type Hasher } from './hash.js';
import { HashSlots, type HashSlot } from './hash-slots.js';

/**
 * md5 and the os_hash algorithm on two worker threads, so the byte path is not bound by hashing on
 * the main thread (one thread does about 480 MiB/s of md5 + sha512 here; two do each hash at once).
 * Chunks are copied once into shared memory slots (HashSlots: one per hasher plus SPARE_SLOTS shared
 * by all, so eight imports at once stay small) both workers read; a slot goes to the workers when
 * full (or at the end), is reused when both have hashed it, and `update` waits for a free slot, which
 * gives backpressure.
 */

const SLOT = 1024 * 1024;
/**
 * The hashing threads' niceness. While imports run, they keep both cores busy: at the default
 * priority a request to the API waited behind them (a p99 of 100 ms with eight 1 GiB imports at
 * once, 20-50 ms at 4). Much lower (10) starved them behind the uploads' own receiving and halved
 * the imports' throughput.
 */
const WORKER_NICENESS = 4;
/**
 * The slots being hashed, for all hashers together. A single upload fills one while the workers
 * hash up to this many (as the 4 slots each hasher had before); more hashers at once share them.
 */
export const SPARE_SLOTS = 4;

// Plain CommonJS so it runs from source and from the bundle alike.
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
// Below the main thread: hashing takes whatever CPU is left, API requests are answered first. On
// Linux the niceness of "process 0" is the calling thread's own.
try { require('node:os').setPriority(0, ${WORKER_NICENESS}); } catch {}
const jobs = new Map();
const slots = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'slot') slots.set(m.slot, { data: new Uint8Array(m.data), refs: new Int32Array(m.refs) });
  else if (m.type === 'unslot') slots.delete(m.slot);
  else if (m.type === 'start') jobs.set(m.job, createHash(m.algo));
  else if (m.type === 'chunk') {
    const slot = slots.get(m.slot);
    jobs.get(m.job)?.update(slot.data.subarray(0, m.len));
    // No message back: the main thread reads the count, and is woken only if it waits on it.
    if (Atomics.sub(slot.refs, 0, 1) === 1) Atomics.notify(slot.refs, 0);
  } else if (m.type === 'end') {
    const hash = jobs.get(m.job);
    jobs.delete(m.job);
    parentPort.postMessage({ type: 'digest', job: m.job, hex: hash.digest('hex') });
  } else if (m.type === 'drop') jobs.delete(m.job);
});`;

export interface WorkerHasher extends Hasher {
  /**
   * Lets `read` put the next bytes straight into the shared slot the workers hash from (the room
   * left in it, at most 1 MiB), instead of into a buffer `update` then copies: one copy less of data
   * read from a file. Resolves with what `read` returned, the bytes it put there (0 at the end).
   * Not to be called while another call or an `update` of this hasher is still pending.
   */
  readInto(read: (into: Buffer) => Promise<number>): Promise<number>;
  dispose(): void;
}

interface PoolWorker {
  worker: Worker;
  listeners: Map<number, (hex: string) => void>;
}

interface Pool {
  workers: [PoolWorker, PoolWorker];
  slots: HashSlots;
  /** The slots being hashed, by id. */
  hashing: Map<number, HashSlot>;
  /** Gives back the slots both workers are done with. */
  reclaim(): void;
  /** Makes sure a slot both workers are done with is given back while one is wanted. */
  watch(): void;
}

// Not in the ES2023 lib yet; Node has it since 16.
type WaitAsync = (a: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

let pool: Pool | undefined;
let nextJob = 1;
let active = 0;

/** Workers keep the process alive only while a hasher is waiting on them. */
function hold(delta: 1 | -1): void {
  active += delta;
  for (const w of pool?.workers ?? []) {
    if (active > 0) w.worker.ref();
    else w.worker.unref();
  }
}

function spawn(): PoolWorker {
  const worker = new Worker(WORKER, { eval: true });
  const w: PoolWorker = { worker, listeners: new Map() };
  worker.on('message', (m: { type: string; job: number; hex: string }) => {
    if (m.type === 'digest') w.listeners.get(m.job)?.(m.hex);
  });
  worker.on('error', () => {
    if (pool?.workers.includes(w)) pool = undefined;
  });
  // After the listeners (adding one refs the worker again); hold() refs it while a job runs.
  worker.unref();
  return w;
}

function workers(): Pool {
  if (pool) return pool;
  const hashing: Pool['hashing'] = new Map();
  // A slot is free again once both workers hashed it (its count is 0). A hasher short of a slot looks
  // at the counts; no message per slot comes back (two per MiB, each a turn of the main thread).
  const reclaim = () => {
    for (const slot of hashing.values()) {
      if (Atomics.load(slot.refs, 0) > 0) continue;
      hashing.delete(slot.id);
      slots.give(slot);
    }
  };
  // While a slot is wanted (a hasher waits for one, or one beyond the capacity is to go), the main
  // thread waits on the count of the oldest slot being hashed: the workers hash in order, and the
  // one that counts it down to 0 wakes this waiter.
  let watching = false;
  const watch = () => {
    while (!watching && slots.wanted) {
      reclaim();
      const oldest = hashing.values().next().value as HashSlot | undefined;
      if (!oldest || !slots.wanted) return;
      const left = Atomics.load(oldest.refs, 0);
      if (left === 0) continue;
      const w = waitAsync(oldest.refs, 0, left);
      if (!w.async) continue;
      watching = true;
      void w.value.then(() => {
        watching = false;
        watch();
      });
    }
  };
  const pair: [PoolWorker, PoolWorker] = [spawn(), spawn()];
  const tell = (m: object) => {
    for (const w of pair) w.worker.postMessage(m);
  };
  const slots = new HashSlots(SLOT, SPARE_SLOTS, {
    created: (slot) => tell({ type: 'slot', slot: slot.id, data: slot.data, refs: slot.refs.buffer }),
    dropped: (slot) => tell({ type: 'unslot', slot: slot.id }),
  });
  pool = { workers: pair, slots, hashing, reclaim, watch };
  return pool;
}

/** Slots of the shared pool that exist now (for tests: they are capped and freed). */
export function hashSlotsInUse(): number {
  return pool?.slots.size ?? 0;
}

/** A Hasher whose two digests are computed on worker threads. */
export function createWorkerHasher(algo: string): WorkerHasher {
  const hashAlgo = checkHashAlgo(algo);
  const { workers: pair, slots, hashing, reclaim, watch } = workers();
  const [a, b] = pair;
  const job = nextJob++;
  hold(1);
  slots.join();
  let done = false;
  let size = 0;
  const digests = new Map<PoolWorker, (hex: string) => void>();
  for (const w of pair) w.listeners.set(job, (hex) => digests.get(w)?.(hex));
  a.worker.postMessage({ type: 'start', job, algo: 'md5' });
  b.worker.postMessage({ type: 'start', job, algo: hashAlgo });

  // Chunks are packed into the slot being filled and handed over when it is full: a socket yields
  // 64 KiB at a time, and a hand-over per chunk (two messages out, two back) cost more main-thread
  // time than the copy itself.
  let slot: HashSlot | undefined;
  let fill = 0;
  const send = () => {
    Atomics.store(slot!.refs, 0, 2);
    hashing.set(slot!.id, slot!);
    for (const w of pair) w.worker.postMessage({ type: 'chunk', job, slot: slot!.id, len: fill });
    slot = undefined;
    fill = 0;
  };
  /** Copies `chunk` from `off` into slots until it is all in or no slot is free; returns where it stopped. */
  const pack = (chunk: Buffer, off: number): number => {
    while (off < chunk.length) {
      if (!slot) {
        slot = slots.take();
        if (!slot) reclaim();
        slot ??= slots.take();
        if (!slot) break;
      }
      const n = Math.min(SLOT - fill, chunk.length - off);
      // Buffer#fill with a buffer as long as the range is one memcpy; TypedArray#set into shared
      // memory copies word by word (V8's relaxed_memmove), about half as slow again.
      slot.view.fill(n === chunk.length ? chunk : chunk.subarray(off, off + n), fill, fill + n);
      fill += n;
      off += n;
      if (fill === SLOT) send();
    }
    return off;
  };
  /** A slot to fill: the current one, else the next given back (in line behind other hashers); false once dropped. */
  async function haveSlot(): Promise<boolean> {
    if (slot) return true;
    reclaim();
    const next = slots.wait();
    watch();
    const got = await next;
    // Dropped while waiting: the slot goes to the next in line.
    if (done) {
      slots.give(got);
      return false;
    }
    slot = got;
    return true;
  }
  async function feed(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length;) {
      if (!slot && !(await haveSlot())) return;
      off = pack(chunk, off);
    }
  }
  // Chunks must reach the workers in order: once one waits for a slot, later ones queue behind it.
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0;
  // A read into the current slot is in flight (readInto): the slot is not given back before it ends.
  let reading = false;
  const finish = () => {
    if (done) return;
    done = true;
    for (const w of pair) w.listeners.delete(job);
    if (slot && !reading) slots.give(slot);
    if (!reading) slot = undefined;
    slots.leave();
    // What the workers still hash of a dropped job goes when they are done.
    watch();
    hold(-1);
  };
  const dispose = () => {
    if (done) return;
    for (const w of pair) w.worker.postMessage({ type: 'drop', job });
    finish();
  };

  return {
    update(chunk) {
      size += chunk.length;
      let rest = chunk;
      if (waiting === 0) {
        const off = pack(chunk, 0);
        if (off === chunk.length) return undefined;
        rest = chunk.subarray(off);
      }
      waiting++;
      queue = queue
        .then(() => feed(rest))
        .finally(() => {
          waiting--;
        });
      return queue;
    },
    async readInto(read) {
      await queue;
      if (!(await haveSlot())) return 0;
      reading = true;
      let n: number;
      try {
        n = await read(slot!.view.subarray(fill));
      } finally {
        reading = false;
        if (done && slot) {
          slots.give(slot);
          slot = undefined;
        }
      }
      if (done) return n;
      size += n;
      fill += n;
      if (fill === SLOT) send();
      return n;
    },
    async digest() {
      await queue;
      if (fill > 0) send();
      const hex = (w: PoolWorker) =>
        new Promise<string>((resolve) => {
          digests.set(w, resolve);
          w.worker.postMessage({ type: 'end', job });
        });
      const [checksum, hashValue] = await Promise.all([hex(a), hex(b)]);
      finish();
      return { size, checksum, hashAlgo, hashValue };
    },
    dispose,
  };
}
