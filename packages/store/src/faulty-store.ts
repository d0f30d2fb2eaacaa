import { giError } from './errors.js';
import type { Source, StoreDriver, WriteOptions } from './types.js';

export interface Fault {
  /** Bytes the store accepts before it fails. */
  afterBytes: number;
  /** What it fails with; default a GI_STORE_FULL error, as a full disk would give. */
  error?: () => unknown;
}

/** For tests: a store that writes through `inner` and fails after `afterBytes`, partial data and all. */
export class FaultyStore implements StoreDriver {
  constructor(
    private readonly inner: StoreDriver,
    private readonly fault: Fault,
  ) {}

  get id() {
    return this.inner.id;
  }
  get type() {
    return this.inner.type;
  }
  get readOnly() {
    return this.inner.readOnly;
  }
  get description() {
    return this.inner.description;
  }
  get weight() {
    return this.inner.weight;
  }
  get properties() {
    return this.inner.properties;
  }
  get check() {
    return this.inner.check?.bind(this.inner);
  }

  add(imageId: string, source: Source, opts?: WriteOptions) {
    return this.inner.add(imageId, this.failing(source), opts);
  }

  get: StoreDriver['get'] = (location, range) => this.inner.get(location, range);
  delete: StoreDriver['delete'] = (location) => this.inner.delete(location);
  exists: StoreDriver['exists'] = (location) => this.inner.exists(location);

  private async *failing(source: Source): AsyncGenerator<Buffer> {
    let left = this.fault.afterBytes;
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (chunk.length > left) {
        if (left > 0) yield chunk.subarray(0, left);
        throw this.fault.error?.() ?? giError('GI_STORE_FULL', { store: this.id, path: '(fault injected)', reason: 'ENOSPC: no space left on device' });
      }
      left -= chunk.length;
      yield chunk;
    }
  }
}
