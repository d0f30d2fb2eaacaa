import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { HEAP_FLAGS, START_FLAGS, tuneHeap, tuneStart } from './heap-tuning.js';

const flagsOf = (list: typeof HEAP_FLAGS) => list.map((f) => f.flag);

/** The young generation's size (KiB) in a fresh node after `set` (at run time) and an allocation that survives collections. */
function youngGenerationAfter(set: readonly string[]): number {
  const script = `
    const v8 = require('node:v8');
    for (const f of JSON.parse(process.argv[1])) v8.setFlagsFromString(f);
    const kept = [];
    for (let i = 0; i < 2e6; i++) kept.push({ i });
    process.stdout.write(String(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size >> 10));`;
  return Number(execFileSync(process.execPath, ['-e', script, JSON.stringify(set)], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }));
}

describe('tuneHeap', () => {
  it('sets its flags when node was given none of them', () => {
    expect(tuneHeap(HEAP_FLAGS, ['--enable-source-maps'])).toEqual(flagsOf(HEAP_FLAGS));
    expect(tuneHeap(START_FLAGS, ['--enable-source-maps'])).toEqual(flagsOf(START_FLAGS));
  });

  it("leaves a flag the operator gave node, in either spelling, to the operator's value", () => {
    expect(tuneHeap(HEAP_FLAGS, ['--heap-growing-percent=50'])).toEqual([]);
    expect(tuneHeap(HEAP_FLAGS, ['--heap_growing_percent=50'])).toEqual([]);
  });

  it('leaves the young generation to an operator who sized it', () => {
    for (const given of ['--max-semi-space-size=4', '--min_semi_space_size=2', '--semi-space-growth-factor=3'])
      expect(tuneHeap(START_FLAGS, [given])).toEqual([]);
  });

  it("keeps V8's young generation at its starting size, which it otherwise doubles as objects survive", () => {
    expect(youngGenerationAfter([])).toBeGreaterThanOrEqual(16 * 1024);
    expect(youngGenerationAfter(flagsOf(START_FLAGS))).toBeLessThanOrEqual(2 * 1024);
  });

  it('holds the young generation small past the start of a worker thread, which resets its growth', async () => {
    expect(tuneStart([])).toEqual(flagsOf(START_FLAGS));
    // A fresh isolate's young generation, grown once it is told to go (after its start reset the factor).
    const worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const v8 = require('node:v8');
       parentPort.once('message', () => {
         const kept = [];
         for (let i = 0; i < 2e6; i++) kept.push({ i });
         parentPort.postMessage(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size >> 10);
       });`,
      { eval: true },
    );
    try {
      await once(worker, 'online');
      // After the listener tuneStart added, which runs first.
      worker.postMessage('go');
      const [kib] = (await once(worker, 'message')) as [number];
      expect(kib).toBeLessThanOrEqual(2 * 1024);
    } finally {
      await worker.terminate();
    }
  });
});
