import { ProgressBar } from './progress-bar.js';

/** The part of a task's progress object (beyond Glance) that the command line shows. */
export interface TaskProgress {
  phase: string;
  bytesDone?: number;
  bytesTotal?: number;
  phases?: Array<{ phase: string; endedAt?: string; bytes?: number }>;
}

/**
 * One bar per import phase, in the order the task's progress object lists them: every phase is
 * shown, also those that began and ended between two polls; the running one moves with its bytes.
 */
export class PhaseBars {
  private readonly bars: ProgressBar[] = [];
  private ended = 0;

  constructor(private readonly write: (s: string) => void, private readonly tty: boolean) {}

  /** Print what the progress object shows; with `failed`, the last phase is where the import failed. */
  show(p: TaskProgress | null | undefined, failed?: string): void {
    const phases = p?.phases ?? [];
    for (let i = this.ended; i < phases.length; i++) {
      const ph = phases[i]!;
      const bar = (this.bars[i] ??= new ProgressBar(ph.phase.padEnd(7), this.write, this.tty));
      const failedHere = failed !== undefined && i === phases.length - 1;
      if (!ph.endedAt && !failedHere) {
        if (p?.bytesDone !== undefined) bar.update(p.bytesDone, p.bytesTotal);
        return;
      }
      if (ph.bytes !== undefined && !failedHere) bar.update(ph.bytes, ph.bytes);
      bar.done(failedHere ? failed : 'done');
      this.ended = i + 1;
    }
  }
}
