import v8 from 'node:v8';

/**
 * V8 settings `serve` makes for itself, with why. Each is skipped when the operator set the same
 * flag (NODE_OPTIONS or node's command line): theirs wins.
 *
 * An upload arrives as 64 KiB buffers, one per socket read (Node's HTTP parser copies each), which
 * V8 counts as external memory. It frees them at young-generation collections, every 32 MiB of them,
 * and until then their growth counts against the old generation's allocation limit. With a 15 MB
 * heap and the default growing factor (down to 1.1-1.4 once collections take a share of the time,
 * as when eight imports share two cores) that limit was 6-8 MB above the heap: every 32 MiB of
 * upload started a full collection (eight 1 GiB imports: about 400 of them, pauses of 10-45 ms,
 * which set the p99 of API requests). A factor of 4 leaves room for that swing; a full collection
 * then comes when the heap itself has grown.
 */
export const HEAP_FLAGS = ['--heap-growing-percent=300'] as const;

const nameOf = (flag: string) => flag.replace(/^--/, '').split('=')[0]!.replaceAll('_', '-');

/** Sets HEAP_FLAGS on this process's V8, but none the operator gave node already. */
export function tuneHeap(given: readonly string[] = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]): string[] {
  const taken = new Set(given.filter((a) => a.startsWith('--')).map(nameOf));
  const set = HEAP_FLAGS.filter((f) => !taken.has(nameOf(f)));
  for (const f of set) v8.setFlagsFromString(f);
  return set;
}
