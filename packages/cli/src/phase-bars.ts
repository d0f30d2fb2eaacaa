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

  constructor(
    private readonly write: (s: string) => void,
    private readonly tty: boolean,
  ) {}

  /** Print what the progress object shows so far; the running phase moves with its bytes. */
  show(p: TaskProgress | null | undefined): void {
    this.print(p, undefined);
  }

  /** The task ended: print every phase left, the last one with `note` ('failed' where the import failed). */
  end(p: TaskProgress | null | undefined, note = 'done'): void {
    this.print(p, note);
  }

  private print(p: TaskProgress | null | undefined, lastNote: string | undefined): void {
    const phases = p?.phases ?? [];
    for (let i = this.ended; i < phases.length; i++) {
      const ph = phases[i]!;
      const bar = (this.bars[i] ??= new ProgressBar(ph.phase.padEnd(7), this.write, this.tty));
      const last = i === phases.length - 1;
      if (!ph.endedAt && lastNote === undefined) {
        if (p?.bytesDone !== undefined) bar.update(p.bytesDone, p.bytesTotal);
        return;
      }
      const note = last && lastNote !== undefined ? lastNote : 'done';
      if (ph.bytes !== undefined && note === 'done') bar.update(ph.bytes, ph.bytes);
      bar.done(note);
      this.ended = i + 1;
    }
  }
}
