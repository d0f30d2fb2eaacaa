import { describe, expect, it } from 'vitest';
import { PhaseBars, type TaskProgress } from './phase-bars.js';

const t = '2026-01-01T00:00:00Z';
const lines = () => {
  const out: string[] = [];
  return { out, write: (s: string) => out.push(...s.split('\n').filter(Boolean)) };
};

describe('PhaseBars', () => {
  it('shows every phase in order, also those that began and ended between two polls, and the running one with its bytes', () => {
    const { out, write } = lines();
    const bars = new PhaseBars(write, false);
    bars.show(null);
    bars.show({
      phase: 'store',
      bytesDone: 512,
      bytesTotal: 1024,
      phases: [
        { phase: 'ImageLock', endedAt: t },
        { phase: 'VerifyStaging', endedAt: t },
        { phase: 'ImportToStore', bytes: 512 },
      ],
    });
    expect(out).toEqual(['ImageLock done', 'VerifyStaging done', expect.stringMatching(/^ImportToStore \[#{12}\.{13}\] {2}50% 512 B\/1.0 KiB/)]);
    const done: TaskProgress = {
      phase: 'DeleteFromStaging',
      phases: [
        { phase: 'ImageLock', endedAt: t },
        { phase: 'VerifyStaging', endedAt: t },
        { phase: 'ImportToStore', endedAt: t, bytes: 1024 },
        { phase: 'CompleteTask', endedAt: t },
      ],
    };
    bars.show(done);
    bars.show(done);
    expect(out.slice(3)).toEqual([expect.stringMatching(/^ImportToStore \[#{25}\] 100% 1.0 KiB\/1.0 KiB/), 'ImportToStore done', 'CompleteTask done']);
  });

  it('marks the phase the import failed in', () => {
    const { out, write } = lines();
    new PhaseBars(write, false).end(
      {
        phase: 'gate',
        phases: [
          { phase: 'ImageLock', endedAt: t },
          { phase: 'Gate', endedAt: t },
        ],
      },
      'failed',
    );
    expect(out).toEqual(['ImageLock done', 'Gate    failed']);
  });

  it('when the task has ended, a phase still open in the last snapshot is shown done', () => {
    const { out, write } = lines();
    new PhaseBars(write, false).end({ phase: 'CompleteTask', phases: [{ phase: 'ImportToStore', endedAt: t, bytes: 1 }, { phase: 'CompleteTask' }] });
    expect(out.filter((l) => !l.includes('['))).toEqual(['ImportToStore done', 'CompleteTask done']);
  });
});
