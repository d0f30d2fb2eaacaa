import { contextLogger, coreErrors, Engine, isGlanceImportError, reasonOf, type FlowError, type Logger, type ResolvedPlugin } from '@glance-import/core';
import { LockedImage } from './accessor.js';
import { storesFailed, type ImportParts, type TaskDeps } from './deps.js';
import { buildImportFlow, importPlan } from './flow.js';
import { expiry, type ImportJob } from './job.js';
import { ImportProgress } from './progress.js';
import { restoreImage } from './restore.js';

export interface RunDeps extends ImportParts {
  plugins: readonly ResolvedPlugin[];
  log: Logger;
}

/**
 * Run one accepted import as a flow on the core engine, recording each atom's state; a failure
 * fails the task with a reason a person can act on and puts the image back.
 */
export async function runImport(d: RunDeps, job: ImportJob, stop: AbortSignal): Promise<void> {
  const method = job.method.name;
  // Every record of the import carries these once, however plugins and tasks bind them again.
  const log: Logger = contextLogger(d.log, { request_id: job.requestId, task_id: job.taskId, image_id: job.imageId });
  const started = Date.now();
  let outcome = 'failure';
  const progress = new ImportProgress(d.db, job.taskId, d.metrics);
  try {
    try {
      await d.db.tasks.update(job.taskId, { status: 'processing' }, { fromStatus: ['pending'] });
    } catch (e) {
      log.warn({ err: e }, 'import task is no longer pending; not running it');
      return;
    }
    log.info({ method, stores: job.stores }, 'Import started');
    // A stop (shutdown, takeover, image deleted) reaches the flow only before the commit point: an
    // import whose image went active runs to its completion, which is short, and is never reverted.
    const flowStop = new AbortController();
    const signal = flowStop.signal;
    const forward = () => {
      if (deps.reached.section !== 'committed') flowStop.abort(stop.reason);
    };
    const deps: TaskDeps = {
      db: d.db,
      staging: d.staging,
      stores: d.stores,
      quotas: d.quotas,
      settings: d.settings,
      metrics: d.metrics,
      resolve: d.resolve,
      job,
      image: new LockedImage(d.db, job.imageId, job.taskId, log),
      progress,
      log,
      signal,
      inspections: [],
      reached: { section: 'method' },
    };
    stop.addEventListener('abort', forward, { once: true });
    if (stop.aborted) forward();
    try {
      const remaining = await d.quotas.remainingBytes(job.caller.projectId, 'image_stage_total');
      const flow = await buildImportFlow(deps, d.plugins, remaining === undefined ? {} : { stagingBytesLimit: remaining });
      progress.plan(importPlan(flow));
      const engine = new Engine(flow, {
        mode: d.settings.engine.mode,
        maxWorkers: d.settings.engine.maxWorkers,
        persistence: d.db.flows,
        flowId: job.taskId,
        signal,
        listeners: [
          {
            onAtom: (e) => {
              if (e.state === 'RUNNING') progress.enter(e.atom);
              log.debug({ atom: e.atom, state: e.state }, 'atom state');
            },
          },
        ],
      });
      await engine.run();
      outcome = 'success';
    } catch (e) {
      await fail(d, job, e, deps, log);
    } finally {
      stop.removeEventListener('abort', forward);
    }
    d.metrics.imports.inc({ method, outcome });
    d.metrics.importSeconds.observe({ method, outcome }, (Date.now() - started) / 1000);
  } finally {
    await progress.finish();
  }
}

/** Fail the task with a reason a person can act on; make sure the image is not left importing. */
async function fail(d: RunDeps, job: ImportJob, e: unknown, deps: Pick<TaskDeps, 'inspections' | 'job' | 'reached' | 'image'>, log: Logger): Promise<void> {
  const { inspections } = deps;
  const original = (e as FlowError).failures?.[0]?.error ?? e;
  const code = isGlanceImportError(original) ? original.code : isGlanceImportError(e) ? e.code : 'GI_FLOW_FAILED';
  // A plugin's uncoded error keeps its own words as the task message, as Glance writes it; the
  // code and `error_plugin` say which plugin it came from.
  const plugin = coreErrors.is(original, 'GI_PLUGIN_FAILED') ? (original.details as { plugin: string; reason: string }) : undefined;
  const reason = plugin?.reason ?? reasonOf(original);
  log.error({ err: original, error_code: code, reverted: (e as FlowError).reverted }, `Import failed: ${reasonOf(original)}`);
  // Beyond Glance: what to do about it, for a client to show beside the reason.
  const hint = isGlanceImportError(original) ? original.hint : isGlanceImportError(e) ? e.hint : undefined;
  const result = { error_code: code, ...(hint ? { hint } : {}), ...(plugin ? { plugin: plugin.plugin } : {}), inspections };
  await d.db.tasks
    .update(job.taskId, { status: 'failure', message: reason, result, expires_at: expiry(d.settings.taskTtlHours) }, { fromStatus: ['pending', 'processing'] })
    .catch((err: unknown) => log.warn({ err }, 'could not record the task failure'));
  // Done by ImageLock's revert already, unless a revert that failed stopped the reverts before it ran.
  await deps.image.undoPropertyChanges().catch((err: unknown) => log.warn({ err }, 'could not put back the image properties the failed import changed'));
  await restoreImage(d, job.imageId, job.taskId, job.before, job.stores, log, { allFailed: storesFailed(deps) }).catch((err: unknown) =>
    log.error({ err }, 'could not restore the image after a failed import'),
  );
}
