/** One shared memory block the hashing workers read a chunk of data from. */
export interface HashSlot {
  readonly id: number;
  readonly data: SharedArrayBuffer;
  /** A Buffer, for Buffer#fill: the fast copy into it. */
  readonly view: Buffer;
  /** How many workers are still hashing it (shared: a worker counts down as soon as it is done). */
  readonly refs: Int32Array;
}

/**
 * The server-wide memory of the hashing workers: each hasher that joins adds one slot (the one it
 * fills), and `spare` more are shared by all of them, for the slots the workers are hashing. Eight
 * imports at once then hold 8 + spare slots instead of a fixed few each, and when the workers fall
 * behind every hasher waits its turn (first come, first served), so the uploads stay paused in the
 * kernel's socket buffers instead of piling up in memory.
 */
export class HashSlots {
  private capacity: number;
  private created = 0;
  private nextId = 1;
  private readonly free: HashSlot[] = [];
  private readonly waiters: Array<(slot: HashSlot) => void> = [];

  constructor(
    private readonly slotSize: number,
    spare: number,
    private readonly hooks: { created(slot: HashSlot): void; dropped(slot: HashSlot): void },
  ) {
    this.capacity = spare;
  }

  /** Slots that exist now (free, being filled or being hashed). */
  get size(): number {
    return this.created;
  }

  /** Whether a slot given back now has a use: a hasher waits for one, or it is beyond the capacity and goes. */
  get wanted(): boolean {
    return this.waiters.length > 0 || this.created > this.capacity;
  }

  join(): void {
    this.capacity++;
    this.serve();
  }

  /** A hasher is done: its share of the slots goes as soon as they are free. */
  leave(): void {
    this.capacity--;
    while (this.created > this.capacity && this.free.length > 0) this.drop(this.free.pop()!);
  }

  /** A slot now, unless none is free or others already wait for one (they come first). */
  take(): HashSlot | undefined {
    if (this.waiters.length > 0) return undefined;
    return this.next();
  }

  /** The next slot given back, in the order of asking. */
  wait(): Promise<HashSlot> {
    const now = this.take();
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** A slot is free again (both workers hashed it, or its hasher was dropped). */
  give(slot: HashSlot): void {
    if (this.created > this.capacity) this.drop(slot);
    else this.free.push(slot);
    this.serve();
  }

  private next(): HashSlot | undefined {
    if (this.free.length > 0) return this.free.pop();
    if (this.created >= this.capacity) return undefined;
    this.created++;
    const data = new SharedArrayBuffer(this.slotSize);
    const slot = { id: this.nextId++, data, view: Buffer.from(data), refs: new Int32Array(new SharedArrayBuffer(4)) };
    this.hooks.created(slot);
    return slot;
  }

  private serve(): void {
    while (this.waiters.length > 0) {
      const slot = this.next();
      if (!slot) return;
      this.waiters.shift()!(slot);
    }
  }

  private drop(slot: HashSlot): void {
    this.created--;
    this.hooks.dropped(slot);
  }
}
