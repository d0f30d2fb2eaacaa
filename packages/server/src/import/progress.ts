import type { ProgressReporter, ProgressUpdate } from '@glance-import/core';
import type { Database, TaskProgress } from '@glance-import/db';
import type { Metrics } from '../metrics.js';

const MiB = 1024 * 1024;

/**
 * An import's progress object (beyond Glance's "Copied N MiB"): phase, bytes done/total, rate,
 * per-phase timings and per-store state. Written to the task at most once a second, at every phase
 * change and when the store write reaches the end of the data; each write refreshes the task's
 * updated_at, which keeps the image lock fresh. While data is copied to the stores, the task's
 * message is Glance's "Copied N MiB"; it stays so when the import succeeds.
 */
export class ImportProgress implements ProgressReporter {
  private state: TaskProgress = { phase: 'pending', updatedAt: new Date().toISOString(), phases: [], stores: {} };
  private phaseStart = Date.now();
  private lastFlush = 0;
  private pending: Promise<unknown> = Promise.resolve();
  private readonly heartbeat: NodeJS.Timeout;

  /**
   * `heartbeatMs`: beyond Glance, the task is also written at this interval while nothing reports
   * progress (a long conversion, a slow plugin), so a live import's lock never looks stale.
   */
  constructor(
    private readonly db: Database,
    private readonly taskId: string,
    private readonly metrics: Metrics,
    private readonly intervalMs = 1000,
    heartbeatMs = 5 * 60_000,
  ) {
    this.heartbeat = setInterval(
      () => {
        if (Date.now() - this.lastFlush >= heartbeatMs) this.flush(true);
      },
      Math.min(heartbeatMs, 60_000),
    );
    this.heartbeat.unref();
  }

  get snapshot(): TaskProgress {
    return structuredClone(this.state);
  }

  /** The steps the import will run (written with the first phase). */
  plan(steps: NonNullable<TaskProgress['plan']>): void {
    this.state.plan = steps;
  }

  /** Enter a phase (an atom starting); closes the previous one and records its duration. */
  enter(phase: string): void {
    this.close();
    this.phaseStart = Date.now();
    this.state.phase = phase;
    delete this.state.bytesDone;
    delete this.state.bytesTotal;
    delete this.state.rate;
    this.state.phases!.push({ phase, startedAt: new Date().toISOString() });
    this.flush(true);
  }

  report(u: ProgressUpdate): void {
    if (u.phase !== this.state.phase && !u.phase.startsWith(`${this.state.phase}:`)) this.state.phase = u.phase;
    if (u.bytesDone !== undefined) this.state.bytesDone = u.bytesDone;
    if (u.bytesTotal !== undefined) this.state.bytesTotal = u.bytesTotal;
    const secs = (Date.now() - this.phaseStart) / 1000;
    if (u.bytesDone !== undefined && secs > 0) this.state.rate = Math.round(u.bytesDone / secs);
    const current = this.state.phases!.at(-1);
    if (current && u.bytesDone !== undefined) current.bytes = u.bytesDone;
    // The end of the data is always written, as Glance's callback reports the end of the stream.
    this.flush(u.bytesDone !== undefined && u.bytesDone === u.bytesTotal);
  }

  store(store: string, status: 'pending' | 'writing' | 'done' | 'failed', bytesDone?: number): void {
    this.state.stores![store] = { status, ...(bytesDone !== undefined ? { bytesDone } : {}) };
    this.flush(false);
  }

  /** Resolves when every write asked for so far is done. */
  written(): Promise<void> {
    return this.pending.then(() => undefined);
  }

  /** Close the current phase; returns when the last write is done. */
  async finish(): Promise<void> {
    clearInterval(this.heartbeat);
    this.close();
    this.flush(true);
    await this.pending;
  }

  private close(): void {
    const current = this.state.phases!.at(-1);
    if (current && !current.endedAt) {
      current.endedAt = new Date().toISOString();
      this.metrics.phaseSeconds.observe({ phase: current.phase.split(':')[0]! }, (Date.now() - this.phaseStart) / 1000);
    }
  }

  private flush(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.lastFlush < this.intervalMs) return;
    this.lastFlush = now;
    this.state.updatedAt = new Date(now).toISOString();
    const progress = structuredClone(this.state);
    // Glance's "Copied N MiB" only while the task runs: a write that lands after the task ended must
    // not replace the reason it failed with (or the empty message of a success).
    const save = () => this.db.tasks.update(this.taskId, { progress });
    const write =
      progress.phase.startsWith('store') && progress.bytesDone !== undefined
        ? () =>
            this.db.tasks
              .update(this.taskId, { progress, message: `Copied ${Math.floor(progress.bytesDone! / MiB)} MiB` }, { fromStatus: ['processing'] })
              .catch(save)
        : save;
    this.pending = this.pending.then(write).catch(() => {});
  }
}
