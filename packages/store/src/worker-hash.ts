import { Worker } from 'node:worker_threads';
import { checkHashAlgo, type Hasher } from './hash.js';

/**
 * md5 and the os_hash algorithm on two worker threads, so the byte path is not bound by hashing on
 * the main thread (one thread does about 480 MiB/s of md5 + sha512 here; two do each hash at once).
 * Chunks are copied once into shared memory slots (4 MiB per job: eight imports at once stay small)
 * both workers read; a slot goes to the workers when full (or at the end), is reused when both have
 * hashed it, and `update` waits for a free slot, which gives backpressure.
 */

const SLOT = 1024 * 1024;
/**
 * The hashing threads' niceness. While imports run, they keep both cores busy: at the default
 * priority a request to the API waited behind them (a p99 of 100 ms with eight 1 GiB imports at
 * once, 20-50 ms at 4). Much lower (10) starved them behind the uploads' own receiving and halved
 * the imports' throughput.
 */
const WORKER_NICENESS = 4;
const SLOTS = 4;

// Plain CommonJS so it runs from source and from the bundle alike.
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
// Below the main thread: hashing takes whatever CPU is left, API requests are answered first. On
// Linux the niceness of "process 0" is the calling thread's own.
try { require('node:os').setPriority(0, ${WORKER_NICENESS}); } catch {}
const jobs = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'start') jobs.set(m.job, { hash: createHash(m.algo), data: new Uint8Array(m.data), refs: new Int32Array(m.refs) });
  else if (m.type === 'chunk') {
    const j = jobs.get(m.job);
    j.hash.update(j.data.subarray(m.slot * ${SLOT}, m.slot * ${SLOT} + m.len));
    Atomics.sub(j.refs, m.slot, 1);
    parentPort.postMessage({ type: 'freed', job: m.job });
  } else if (m.type === 'end') {
    const j = jobs.get(m.job);
    jobs.delete(m.job);
    parentPort.postMessage({ type: 'digest', job: m.job, hex: j.hash.digest('hex') });
  } else if (m.type === 'drop') jobs.delete(m.job);
});`;

interface PoolWorker {
  worker: Worker;
  listeners: Map<number, (m: { type: string; hex?: string }) => void>;
}

let pool: [PoolWorker, PoolWorker] | undefined;
let nextJob = 1;
let active = 0;

/** Workers keep the process alive only while a hasher is waiting on them. */
function hold(delta: 1 | -1): void {
  active += delta;
  for (const w of pool ?? []) {
    if (active > 0) w.worker.ref();
    else w.worker.unref();
  }
}

function spawn(): PoolWorker {
  const worker = new Worker(WORKER, { eval: true });
  const w: PoolWorker = { worker, listeners: new Map() };
  worker.on('message', (m: { job: number; type: string; hex?: string }) => w.listeners.get(m.job)?.(m));
  worker.on('error', () => {
    if (pool?.includes(w)) pool = undefined;
  });
  // After the listeners (adding one refs the worker again); hold() refs it while a job runs.
  worker.unref();
  return w;
}

function workers(): [PoolWorker, PoolWorker] {
  pool ??= [spawn(), spawn()];
  return pool;
}

/** A Hasher whose two digests are computed on worker threads. */
export function createWorkerHasher(algo: string): Hasher & { dispose(): void } {
  const hashAlgo = checkHashAlgo(algo);
  const [a, b] = workers();
  const job = nextJob++;
  hold(1);
  let released = false;
  const release = () => {
    if (!released) {
      released = true;
      hold(-1);
    }
  };
  const data = new SharedArrayBuffer(SLOT * SLOTS);
  const refs = new Int32Array(new SharedArrayBuffer(4 * SLOTS));
  const view = new Uint8Array(data);
  let size = 0;
  let freed: (() => void) | undefined;
  const digests = new Map<PoolWorker, (hex: string) => void>();
  for (const w of [a, b]) {
    w.listeners.set(job, (m) => {
      if (m.type === 'freed') {
        const f = freed;
        freed = undefined;
        f?.();
      }
      if (m.type === 'digest') digests.get(w)?.(m.hex!);
    });
  }
  a.worker.postMessage({ type: 'start', job, algo: 'md5', data, refs: refs.buffer });
  b.worker.postMessage({ type: 'start', job, algo: hashAlgo, data, refs: refs.buffer });

  const freeSlot = () => {
    for (let i = 0; i < SLOTS; i++) if (Atomics.load(refs, i) === 0) return i;
    return -1;
  };
  // Chunks are packed into the slot being filled and handed over when it is full: a socket yields
  // 64 KiB at a time, and a hand-over per chunk (two messages out, two back) cost more main-thread
  // time than the copy itself.
  let slot = -1;
  let fill = 0;
  const send = () => {
    Atomics.store(refs, slot, 2);
    for (const w of [a, b]) w.worker.postMessage({ type: 'chunk', job, slot, len: fill });
    slot = -1;
    fill = 0;
  };
  const waitForSlot = async () => {
    if (slot >= 0) return;
    let free = freeSlot();
    while (free < 0) {
      await new Promise<void>((resolve) => {
        freed = resolve;
      });
      free = freeSlot();
    }
    slot = free;
  };
  /** Copies `chunk` from `off` into slots until it is all in or no slot is free; returns where it stopped. */
  const pack = (chunk: Buffer, off: number): number => {
    while (off < chunk.length) {
      if (slot < 0) {
        slot = freeSlot();
        if (slot < 0) break;
      }
      const n = Math.min(SLOT - fill, chunk.length - off);
      view.set(n === chunk.length ? chunk : chunk.subarray(off, off + n), slot * SLOT + fill);
      fill += n;
      off += n;
      if (fill === SLOT) send();
    }
    return off;
  };
  async function feed(chunk: Buffer): Promise<void> {
    for (let off = 0; off < chunk.length;) {
      await waitForSlot();
      off = pack(chunk, off);
    }
  }
  // Chunks must reach the workers in order: once one waits for a slot, later ones queue behind it.
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0;
  const dispose = () => {
    for (const w of [a, b]) {
      w.listeners.delete(job);
      w.worker.postMessage({ type: 'drop', job });
    }
    release();
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
    async digest() {
      await queue;
      if (fill > 0) send();
      const hex = (w: PoolWorker) =>
        new Promise<string>((resolve) => {
          digests.set(w, resolve);
          w.worker.postMessage({ type: 'end', job });
        });
      const [checksum, hashValue] = await Promise.all([hex(a), hex(b)]);
      for (const w of [a, b]) w.listeners.delete(job);
      release();
      return { size, checksum, hashAlgo, hashValue };
    },
    dispose,
  };
}
