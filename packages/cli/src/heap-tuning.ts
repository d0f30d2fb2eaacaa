import v8 from 'node:v8';

/** A V8 flag `serve` sets for itself, unless the operator gave node one of `unless` (theirs wins). */
export interface HeapFlag {
  flag: string;
  unless: readonly string[];
}

/**
 * V8 settings `serve` makes for itself once its modules are loaded, with why. Each is skipped when
 * the operator set the same flag, or one it would override (NODE_OPTIONS or node's command line).
 */
export const HEAP_FLAGS: readonly HeapFlag[] = [
  /**
   * An upload arrives as 64 KiB buffers, one per socket read (Node's HTTP parser copies each), which
   * V8 counts as external memory. It frees them at young-generation collections, every 32 MiB of
   * them, and until then their growth counts against the old generation's allocation limit. With a
   * 15 MB heap and the default growing factor (down to 1.1-1.4 once collections take a share of the
   * time, as when eight imports share two cores) that limit was 6-8 MB above the heap: every 32 MiB
   * of upload started a full collection (eight 1 GiB imports: about 400 of them, pauses of 10-45 ms,
   * which set the p99 of API requests). A factor of 4 leaves room for that swing; a full collection
   * then comes when the heap itself has grown.
   */
  { flag: '--heap-growing-percent=300', unless: ['heap-growing-percent'] },
];

/**
 * What `serve` sets before its modules load (bin.ts, through tuneStart), as it must to have an
 * effect. HEAP_FLAGS stay where they were measured: set when serve starts, its modules loaded.
 */
export const START_FLAGS: readonly HeapFlag[] = [
  /**
   * The young generation stays near the size node starts with (semi-spaces of 1-2 MiB) instead of
   * doubling up to two of 16 MiB, which loading serve's modules alone did. The server's JavaScript
   * makes little garbage per request or chunk (an upload's bytes are external memory), so the large
   * one bought only resident pages: eight 1 GiB imports at once peaked 15-20 MiB lower, at the
   * same CPU time per import (bench/probe.mjs c8, gd). --max-semi-space-size would say the same but
   * is read only at start-up, before any code of ours runs; growth can be stopped later. V8 raises a
   * factor below 2 given on the command line to 2, so this takes effect only set at run time, as
   * here, and early; and it does so again, for the whole process, whenever a worker thread starts
   * (tuneStart sets it back then).
   */
  { flag: '--semi-space-growth-factor=1', unless: ['semi-space-growth-factor', 'max-semi-space-size', 'min-semi-space-size'] },
];

const nameOf = (flag: string) => flag.replace(/^--/, '').split('=')[0]!.replaceAll('_', '-');

/** Sets `flags` on this process's V8, but none the operator decided already; returns those set. */
export function tuneHeap(
  flags: readonly HeapFlag[] = HEAP_FLAGS,
  given: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)],
): string[] {
  const taken = new Set(given.filter((a) => a.startsWith('--')).map(nameOf));
  const set = flags.filter((f) => !f.unless.some((n) => taken.has(n))).map((f) => f.flag);
  for (const f of set) v8.setFlagsFromString(f);
  return set;
}

/**
 * Sets START_FLAGS now and again once each worker thread is online: V8 puts the young generation's
 * growth factor back to 2 for the whole process while it configures a new thread's heap (the
 * hashing workers' start undid it, and the first import grew the main thread's to 32 MiB).
 */
export function tuneStart(given?: readonly string[]): string[] {
  const set = tuneHeap(START_FLAGS, given);
  if (set.length > 0)
    process.on('worker', (worker) =>
      worker.once('online', () => {
        for (const f of set) v8.setFlagsFromString(f);
      }),
    );
  return set;
}
