import { describe, expect, it } from 'vitest';
import { phaseRows, storeRows } from './phases';
import type { ImportTask, TaskProgress } from './task-types';

const t0 = Date.parse('2026-11-25T10:00:00Z');
const at = (s: number) => new Date(t0 + s * 1000).toISOString();
const task = (status: ImportTask['status'], progress: TaskProgress | null, backend: string[] = []): ImportTask => ({
  id: 't1',
  type: 'api_image_import',
  status,
  owner: 'p1',
  image_id: 'i1',
  created_at: at(0),
  updated_at: at(0),
  message: '',
  input: { backend },
  result: null,
  progress,
});
const plan = [
  { phase: 'ImageLock' },
  { phase: 'VerifyStaging' },
  { phase: 'Inspect-staged' },
  { phase: 'Convert_Image', plugin: 'image_conversion' },
  { phase: 'Inspect-image_conversion' },
  { phase: 'ImportToStore' },
  { phase: 'CompleteTask' },
];

describe('phaseRows', () => {
  it('lists every planned step, plugins named, the running one with its bytes and rate', () => {
    const rows = phaseRows(
      task('processing', {
        phase: 'convert',
        bytesDone: 50,
        bytesTotal: 100,
        rate: 25,
        updatedAt: at(4),
        plan,
        phases: [
          { phase: 'ImageLock', startedAt: at(0), endedAt: at(1) },
          { phase: 'VerifyStaging', startedAt: at(1), endedAt: at(1) },
          { phase: 'Inspect-staged', startedAt: at(1), endedAt: at(2) },
          { phase: 'Convert_Image', startedAt: at(2) },
        ],
      }),
      t0 + 4000,
    );
    expect(rows.map((r) => [r.phase, r.state])).toEqual([
      ['ImageLock', 'done'],
      ['VerifyStaging', 'done'],
      ['Inspect-staged', 'done'],
      ['Convert_Image', 'running'],
      ['Inspect-image_conversion', 'pending'],
      ['ImportToStore', 'pending'],
      ['CompleteTask', 'pending'],
    ]);
    expect(rows[3]).toMatchObject({ plugin: 'image_conversion', label: 'Convert_Image', bytesDone: 50, bytesTotal: 100, rate: 25, ms: 2000 });
    expect(rows[4]!.label).toBe('Inspect the data image_conversion wrote');
  });

  it('a failed task: the last step that started failed, the rest did not run', () => {
    const rows = phaseRows(
      task('failure', {
        phase: 'Inspect-staged',
        updatedAt: at(2),
        plan,
        phases: [
          { phase: 'ImageLock', startedAt: at(0), endedAt: at(1) },
          { phase: 'VerifyStaging', startedAt: at(1), endedAt: at(1) },
          { phase: 'Inspect-staged', startedAt: at(1), endedAt: at(2) },
        ],
      }),
    );
    expect(rows.map((r) => r.state)).toEqual(['done', 'done', 'failed', 'not-run', 'not-run', 'not-run', 'not-run']);
  });

  it('without a plan, the steps that ran, in order; a finished phase has its average rate', () => {
    const rows = phaseRows(
      task('success', {
        phase: 'CompleteTask',
        updatedAt: at(3),
        phases: [
          { phase: 'ImportToStore', startedAt: at(0), endedAt: at(2), bytes: 2048 },
          { phase: 'CompleteTask', startedAt: at(2), endedAt: at(3) },
        ],
      }),
    );
    expect(rows).toEqual([
      { phase: 'ImportToStore', label: 'Write to the stores', state: 'done', ms: 2000, bytesDone: 2048, rate: 1024 },
      { phase: 'CompleteTask', label: 'Complete', state: 'done', ms: 1000 },
    ]);
  });
});

describe('storeRows', () => {
  it('stores being written move with the one read; done ones hold every byte; others wait', () => {
    const rows = storeRows(
      task(
        'processing',
        {
          phase: 'store',
          bytesDone: 30,
          bytesTotal: 100,
          rate: 10,
          updatedAt: at(3),
          phases: [{ phase: 'ImportToStore', startedAt: at(0) }],
          stores: { a: { status: 'writing', bytesDone: 0 }, b: { status: 'failed' } },
        },
        ['a', 'b', 'c'],
      ),
    );
    expect(rows).toEqual([
      { store: 'a', status: 'writing', bytesDone: 30, bytesTotal: 100, rate: 10 },
      { store: 'b', status: 'failed' },
      { store: 'c', status: 'pending' },
    ]);
    const done = storeRows(
      task(
        'success',
        {
          phase: 'CompleteTask',
          updatedAt: at(3),
          phases: [{ phase: 'ImportToStore', startedAt: at(0), endedAt: at(2) }],
          stores: { a: { status: 'done', bytesDone: 4096 } },
        },
        ['a'],
      ),
    );
    expect(done).toEqual([{ store: 'a', status: 'done', bytesDone: 4096, bytesTotal: 4096, rate: 2048 }]);
  });
});
