// Shared by this package's tests (not exported): a store that keeps nothing.
import { setTimeout as sleep } from 'node:timers/promises';
import { measure } from './measure.js';
import type { StoreDriver } from './types.js';

/** A store that keeps nothing, takes `delayMs` per chunk, and can hold its last step until `gate` opens. */
export function testStore(id: string, opts: { delayMs?: number; onChunk?: (n: number) => void; gate?: Promise<void> } = {}): StoreDriver {
  return {
    id,
    type: 'test',
    readOnly: false,
    weight: 0,
    async add(imageId, source, writeOpts) {
      const data = measure(source, writeOpts);
      let n = 0;
      for await (const chunk of data) {
        void chunk;
        if (opts.delayMs) await sleep(opts.delayMs);
        opts.onChunk?.(++n);
      }
      if (opts.gate)
        await sleep(60_000, undefined, { signal: writeOpts?.signal }).catch(() => {
          throw writeOpts?.signal?.reason;
        });
      return { location: `test://${id}/${imageId}`, ...(await data.result()) };
    },
    get: () => Promise.reject(new Error('not readable')),
    delete: async () => undefined,
    exists: async () => false,
  };
}
