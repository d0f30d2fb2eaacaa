import { contextLogger, type Logger } from '@glance-import/core';
import type { TaskRecord } from '@glance-import/db';
import { giError } from '../errors.js';
import { methodNamed } from '../methods/index.js';
import { expiry, type ImportJob, type ImportTaskInput } from './job.js';
import { lockHolder, locksOfFinishedTasks, releaseLock } from './lock.js';
import { restoreImage } from './restore.js';
import { clearTargets } from './store-write.js';
import { hasCommitted, rollForward } from './roll-forward.js';
import { prepareImport, type RunDeps } from './run.js';

export interface RecoverDeps extends RunDeps {
  /** This node's id: only its own imports (and those recorded with none) are recovered. */
  node: string;
}

/** What start-up recovery did with this node's interrupted imports. */
export interface Recovery {
  /** Past their commit point: completed. */
  completed: number;
  /** To run on from their last completed step (queued by the caller once the sweeps are done). */
  resumed: ImportJob[];
  /** Stopped in a step that cannot safely run again, or no longer runnable here: reverted and failed. */
  reverted: number;
}

/**
 * At start-up, each import this node was running when its process stopped is completed when it
 * had committed, resumed when every step it left unfinished may run again, else reverted: the
 * image back to its pre-import status with its staged data, what it wrote to stores removed, its
 * task failed with GI_IMPORT_INTERRUPTED. Other nodes' imports are left to the stale-lock rule.
 */
export async function recoverImports(d: RecoverDeps): Promise<Recovery> {
  const out: Recovery = { completed: 0, resumed: [], reverted: 0 };
  for (const status of ['pending', 'processing'] as const) {
    for (const node of [d.node, null]) {
      const tasks = await d.db.tasks.list({ status, type: 'api_image_import', node, sort: { key: 'created_at', dir: 'asc' }, limit: 100_000 });
      for (const task of tasks) {
        const log = contextLogger(d.log, { task_id: task.id, image_id: task.image_id, request_id: task.request_id });
        const outcome = await settle(d, task, log).catch(async (err: unknown) => {
          log.error({ err }, 'could not recover an interrupted import; failing it');
          return fail(d, task, undefined, log);
        });
        if (outcome === 'completed') out.completed++;
        else if (outcome === 'reverted') out.reverted++;
        else out.resumed.push(outcome);
      }
    }
  }
  // Stopped between finishing a task and releasing its lock: finish the job.
  for (const { imageId, task } of await locksOfFinishedTasks(d.db, d.node)) {
    const log = contextLogger(d.log, { task_id: task.id, image_id: imageId, request_id: task.request_id });
    const input = task.input as Partial<ImportTaskInput> | null;
    if (task.status === 'success') {
      await rollForward({ db: d.db, staging: d.staging, taskTtlHours: d.settings.taskTtlHours, log }, imageId, task.id, input?.backend ?? []);
      out.completed++;
    } else {
      await restoreLeftover(d, imageId, task, log);
      out.reverted++;
    }
  }
  return out;
}

async function settle(d: RecoverDeps, task: TaskRecord, log: Logger): Promise<'completed' | 'reverted' | ImportJob> {
  const input = task.input as Partial<ImportTaskInput> | null;
  const image = input?.image_id ? await d.db.images.get(input.image_id) : undefined;
  if (input?.image_id && input.previous && hasCommitted(image, input.previous)) {
    await rollForward({ db: d.db, staging: d.staging, taskTtlHours: d.settings.taskTtlHours, log }, input.image_id, task.id, input.backend ?? []);
    return 'completed';
  }
  const method = methodNamed(input?.import_req?.method?.name ?? '');
  // Without what it takes to run it again (an image it still locks, its method, who asked), it is reverted by its record.
  if (!image || lockHolder(image) !== task.id || !input?.previous || !input.caller || !input.import_req || !method) return fail(d, task, undefined, log);
  const job: ImportJob = {
    taskId: task.id,
    imageId: image.id,
    method,
    request: input.import_req,
    stores: input.backend?.length ? input.backend : [d.stores.defaultId],
    before: input.previous,
    caller: { ...input.caller },
    requestId: task.request_id ?? '',
    resume: true,
  };
  const never = new AbortController().signal;
  const plan = await (await prepareImport(d, job, never, log)).engine.resumePlan();
  if (plan.blockers.length === 0) {
    log.info({ completed: plan.completed, rerun: plan.interrupted }, 'resuming an import interrupted by the last shutdown');
    return job;
  }
  const { engine } = await prepareImport(d, job, never, log, { rollBack: true });
  const step = plan.interrupted.at(-1) ?? plan.blockers[0]!;
  log.warn({ blockers: plan.blockers }, 'reverting an import interrupted by the last shutdown: it cannot resume');
  await engine.rollBack(giError('GI_IMPORT_INTERRUPTED', { taskId: task.id, step })).catch((err: unknown) => {
    if (!(err as { reverted?: boolean }).reverted) log.error({ err }, 'reverting the interrupted import did not complete');
  });
  return fail(d, task, step, log);
}

/** A failed task that still holds its image's lock: put the image back as it was before (or complete it, past its commit point). */
async function restoreLeftover(d: RecoverDeps, imageId: string, task: TaskRecord, log: Logger): Promise<void> {
  const input = task.input as Partial<ImportTaskInput> | null;
  if (!input?.previous) {
    await releaseLock(d.db, imageId, task.id);
    return;
  }
  const allFailed = methodNamed(input.import_req?.method?.name ?? '')?.failsAllStores ?? true;
  await restoreImage(d, imageId, task.id, input.previous, input.backend ?? [], log, { allFailed });
}

/** Fail the task; put its image back if no revert did (idempotent). */
async function fail(d: RecoverDeps, task: TaskRecord, step: string | undefined, log: Logger): Promise<'reverted'> {
  const input = task.input as Partial<ImportTaskInput> | null;
  const err = giError('GI_IMPORT_INTERRUPTED', { taskId: task.id, ...(step ? { step } : {}) });
  await d.db.tasks
    .update(
      task.id,
      { status: 'failure', message: err.message, result: { error_code: err.code, hint: err.hint }, expires_at: expiry(d.settings.taskTtlHours) },
      { fromStatus: ['pending', 'processing'] },
    )
    .catch((e: unknown) => log.warn({ err: e }, 'could not record the failure of an interrupted import'));
  if (input?.image_id && input.previous) {
    const image = await d.db.images.get(input.image_id);
    if (image && lockHolder(image) === task.id && !hasCommitted(image, input.previous)) {
      const targets = input.backend?.length ? input.backend : [d.stores.defaultId];
      await clearTargets(d, input.image_id, targets, (e, store) => log.warn({ err: e, store }, 'could not remove what an interrupted import wrote'));
    }
    const allFailed = methodNamed(input.import_req?.method?.name ?? '')?.failsAllStores ?? true;
    await restoreImage(d, input.image_id, task.id, input.previous, input.backend ?? [], log, { allFailed }).catch((e: unknown) =>
      log.error({ err: e }, 'could not restore the image of an interrupted import'),
    );
  }
  return 'reverted';
}
