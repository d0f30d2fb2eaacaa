import { contextLogger, coreErrors, Engine, isGlanceImportError, reasonOf, type FlowError, type Logger, type ResolvedPlugin } from '@glance-import/core';
import { LockedImage } from './accessor.js';
import { storesFailed, type ImportParts, type TaskDeps } from './deps.js';
import { buildImportFlow, importPlan } from './flow.js';
import { expiry, type ImportJob } from './job.js';
import type { InspectionRecord } from './inspection.js';
import { ImportProgress } from './progress.js';
import { restoreImage } from './restore.js';

export interface RunDeps extends ImportParts {
  plugins: readonly ResolvedPlugin[];
  log: Logger;
}

/** One import's flow, ready to run (or, after a crash, to plan and roll back). */
export interface PreparedImport {
  deps: TaskDeps;
  engine: Engine;
  progress: ImportProgress;
}

/**
 * Build an import's tasks and its engine, persisting every atom under the task id. A resumed job
 * (`job.resume`) skips the atoms its earlier run completed, with their recorded results;
 * `rollBack`: the engine will only revert what an earlier run did.
 */
export async function prepareImport(d: RunDeps, job: ImportJob, signal: AbortSignal, log: Logger, o: { rollBack?: boolean } = {}): Promise<PreparedImport> {
  const progress = new ImportProgress(d.db, job.taskId, d.metrics);
  const deps: TaskDeps = {
    db: d.db,
    staging: d.staging,
    stores: d.stores,
    quotas: d.quotas,
    settings: d.settings,
    metrics: d.metrics,
    resolve: d.resolve,
    job,
    image: new LockedImage(d.db, job.imageId, job.taskId, log, !o.rollBack),
    progress,
    log,
    signal,
    inspections: [],
    reached: { section: 'method' },
  };
  const remaining = await d.quotas.remainingBytes(job.caller.projectId, 'image_stage_total');
  const flow = await buildImportFlow(deps, d.plugins, remaining === undefined ? {} : { stagingBytesLimit: remaining });
  progress.plan(importPlan(flow));
  const engine = new Engine(flow, {
    mode: d.settings.engine.mode,
    maxWorkers: d.settings.engine.maxWorkers,
    persistence: d.db.flows,
    flowId: job.taskId,
    resume: job.resume === true,
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
  if (job.resume) await carryOver(d, job, deps);
  return { deps, engine, progress };
}

/** What a resumed import's completed atoms did that its later tasks read from memory. */
async function carryOver(d: RunDeps, job: ImportJob, deps: TaskDeps): Promise<void> {
  const atoms = await d.db.flows.loadAtoms(job.taskId);
  const done = (name: string) => atoms.some((a) => a.atom === name && a.state === 'SUCCESS');
  if (atoms.some((a) => a.atom === 'ImportToStore')) deps.reached.section = 'stores';
  else if (done('VerifyStaging')) deps.reached.section = 'plugins';
  const inspected = atoms.filter((a) => a.state === 'SUCCESS' && a.atom.startsWith('Inspect-')).sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
  for (const a of inspected) deps.inspections.push((a.result as { record: InspectionRecord }).record);
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
  let progress: ImportProgress | undefined;
  try {
    try {
      await d.db.tasks.update(job.taskId, { status: 'processing' }, { fromStatus: job.resume ? ['pending', 'processing'] : ['pending'] });
    } catch (e) {
      log.warn({ err: e }, 'import task is no longer pending; not running it');
      return;
    }
    log.info({ method, stores: job.stores, ...(job.resume ? { resumed: true } : {}) }, job.resume ? 'Import resumed after a restart' : 'Import started');
    // A stop (shutdown, takeover, image deleted) reaches the flow only before the commit point: an
    // import whose image went active runs to its completion, which is short, and is never reverted.
    const flowStop = new AbortController();
    let reached: TaskDeps['reached'] = { section: 'method' };
    const forward = () => {
      if (reached.section !== 'committed') flowStop.abort(stop.reason);
    };
    stop.addEventListener('abort', forward, { once: true });
    if (stop.aborted) forward();
    let deps: Pick<TaskDeps, 'inspections' | 'job' | 'reached' | 'image'> = {
      inspections: [],
      job,
      reached,
      image: new LockedImage(d.db, job.imageId, job.taskId, log),
    };
    try {
      const prepared = await prepareImport(d, job, flowStop.signal, log);
      ({ deps, progress } = prepared);
      reached = deps.reached;
      await prepared.engine.run();
      outcome = 'success';
    } catch (e) {
      await fail(d, job, e, deps, log);
    } finally {
      stop.removeEventListener('abort', forward);
    }
    d.metrics.imports.inc({ method, outcome });
    d.metrics.importSeconds.observe({ method, outcome }, (Date.now() - started) / 1000);
  } finally {
    await progress?.finish();
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
