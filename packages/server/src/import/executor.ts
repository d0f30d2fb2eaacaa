import { coreErrors, Engine, isGlanceImportError, reasonOf, type FlowError, type Logger } from '@glance-import/core';
import type { Runtime } from '../runtime.js';
import { LockedImage } from './accessor.js';
import { buildImportFlow } from './flow.js';
import type { ImportJob, ImportTaskInput } from './job.js';
import { expiry } from './lock.js';
import { ImportProgress } from './progress.js';
import { failsAllStores, restoreImage } from './restore.js';
import type { InspectionRecord, TaskDeps } from './tasks.js';

interface Running {
  imageId: string;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Runs imports as flows on the core engine, at most `[wsgi] task_pool_threads` at once; the rest
 * wait in order. Nothing here blocks the event loop: data moves through streams and child processes.
 */
export class ImportExecutor {
  private readonly running = new Map<string, Running>();
  private readonly queue: ImportJob[] = [];
  private rt!: Runtime;

  attach(rt: Runtime): void {
    this.rt = rt;
  }

  get active(): number {
    return this.running.size;
  }

  submit(job: ImportJob): void {
    this.queue.push(job);
    this.pump();
  }

  /** Stop every import of an image and wait until each has reverted. */
  async abortImage(imageId: string, reason: string): Promise<void> {
    const queued = this.queue.filter((j) => j.imageId === imageId);
    for (const j of queued) this.queue.splice(this.queue.indexOf(j), 1);
    await Promise.all([...this.running.entries()].filter(([, r]) => r.imageId === imageId).map(([id]) => this.abortTask(id, reason)));
  }

  async abortTask(taskId: string, reason: string): Promise<void> {
    const r = this.running.get(taskId);
    if (!r) return;
    r.abort.abort(new Error(reason));
    await r.done;
  }

  /** Wait for every running and queued import (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.running.size || this.queue.length) await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /**
   * Shutdown: let running imports finish for up to `graceMs`, then stop the rest, which revert (the
   * image back to its pre-import status, staged data kept) and can be imported again after restart.
   * Queued imports that never started are stopped at once.
   */
  async shutdown(graceMs: number): Promise<void> {
    for (const j of this.queue.splice(0)) {
      await this.rt.db.tasks.update(j.task.id, { status: 'failure', message: 'The server shut down before this import started; import again.', expires_at: expiry(this.rt) }).catch(() => {});
      await restoreImage(this.rt, j.imageId, j.task.id, j.before, j.stores, this.rt.log, { allFailed: failsAllStores(j.request.method.name) }).catch(() => {});
    }
    const done = this.drain();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), graceMs); });
    if ((await Promise.race([done.then(() => 'done' as const), late])) === 'late') {
      await Promise.all([...this.running.keys()].map((id) => this.abortTask(id, 'the server is shutting down')));
    }
    clearTimeout(timer);
    await done;
  }

  private pump(): void {
    const limit = this.rt.config.values.wsgi.task_pool_threads;
    while (this.running.size < limit && this.queue.length) {
      const job = this.queue.shift()!;
      const abort = new AbortController();
      const entry: Running = { imageId: job.imageId, abort, done: Promise.resolve() };
      this.running.set(job.task.id, entry);
      entry.done = this.run(job, abort.signal).finally(() => { this.running.delete(job.task.id); this.pump(); });
    }
  }

  private async run(job: ImportJob, signal: AbortSignal): Promise<void> {
    const { rt } = this;
    const method = job.request.method.name;
    const log: Logger = rt.log.child({ request_id: job.requestId, task_id: job.task.id, image_id: job.imageId });
    rt.metrics.tasksRunning.add({}, 1);
    const progress = new ImportProgress(rt.db, job.task.id, rt.metrics);
    try {
      try {
        await rt.db.tasks.update(job.task.id, { status: 'processing' }, { fromStatus: ['pending'] });
      } catch (e) {
        log.warn({ err: e }, 'import task is no longer pending; not running it');
        return;
      }
      log.info({ method, stores: job.stores }, 'Import started');
      const deps: TaskDeps = { rt, job, image: new LockedImage(rt.db, job.imageId, job.task.id, log), progress, log, signal, inspections: [] };
      try {
        const flow = await buildImportFlow(deps);
        const engine = new Engine(flow, {
          mode: rt.config.values.taskflow_executor.engine_mode as 'serial' | 'parallel', maxWorkers: rt.config.values.taskflow_executor.max_workers,
          persistence: rt.db.flows, flowId: job.task.id, signal,
          listeners: [{ onAtom: (e) => { if (e.state === 'RUNNING') progress.enter(e.atom); log.debug({ atom: e.atom, state: e.state }, 'atom state'); } }],
        });
        await engine.run();
        rt.metrics.imports.add({ method, outcome: 'success' }, 1);
      } catch (e) {
        await this.fail(job, e, deps.inspections, log);
        rt.metrics.imports.add({ method, outcome: 'failure' }, 1);
      }
    } finally {
      await progress.finish();
      rt.metrics.tasksRunning.add({}, -1);
    }
  }

  /** Fail the task with a reason a person can act on; make sure the image is not left importing. */
  private async fail(job: ImportJob, e: unknown, inspections: InspectionRecord[], log: Logger): Promise<void> {
    const original = (e as FlowError).failures?.[0]?.error ?? e;
    const code = isGlanceImportError(original) ? original.code : isGlanceImportError(e) ? e.code : 'GI_FLOW_FAILED';
    // A plugin's uncoded error keeps its own words as the task message, as Glance writes it; the
    // code and `result.plugin` say which plugin it came from.
    const plugin = coreErrors.is(original, 'GI_PLUGIN_FAILED') ? original.details as { plugin: string; reason: string } : undefined;
    const reason = plugin?.reason ?? reasonOf(original);
    log.error({ err: original, error_code: code, reverted: (e as FlowError).reverted }, `Import failed: ${reasonOf(original)}`);
    const result = { error_code: code, ...(plugin ? { plugin: plugin.plugin } : {}), inspections };
    await this.rt.db.tasks.update(job.task.id, { status: 'failure', message: reason, result, expires_at: expiry(this.rt) }, { fromStatus: ['pending', 'processing'] })
      .catch((err: unknown) => log.warn({ err }, 'could not record the task failure'));
    await restoreImage(this.rt, job.imageId, job.task.id, job.before, job.stores, log, { allFailed: failsAllStores(job.request.method.name) }).catch((err: unknown) => log.error({ err }, 'could not restore the image after a failed import'));
  }

  /**
   * At start-up: imports that were running when the process stopped cannot finish; fail their
   * tasks and put their images back, keeping staged data, so users can import again.
   */
  async recoverInterrupted(): Promise<number> {
    const { rt } = this;
    let n = 0;
    for (const status of ['pending', 'processing'] as const) {
      for (const task of await rt.db.tasks.list({ status, type: 'api_image_import', sort: { key: 'created_at', dir: 'asc' }, limit: 100_000 })) {
        const input = task.input as ImportTaskInput;
        await rt.db.tasks.update(task.id, { status: 'failure', message: `Import task ${task.id} was interrupted by a server restart; import again.`, result: { error_code: 'GI_IMPORT_INTERRUPTED' }, expires_at: expiry(rt) }).catch(() => {});
        if (input?.previous) await restoreImage(rt, input.image_id, task.id, input.previous, input.backend ?? [], rt.log).catch(() => {});
        n++;
      }
    }
    return n;
  }
}
