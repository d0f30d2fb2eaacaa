import { randomUUID } from 'node:crypto';
import { type ImportRequest, type Logger, type ResolvedPlugin } from '@glance-import/core';
import { giError } from '../errors.js';
import type { ImageRecord } from '@glance-import/db';
import type { CallerIdentity } from '../http/identity.js';
import { methodNamed, type ImportMethod } from '../methods/index.js';
import { systemResolver, type Resolver } from '../methods/uri-filter.js';
import type { ImportParts } from './deps.js';
import { beforeOf, expiry, type ImportJob, type ImportTaskInput } from './job.js';
import { acquireLock, holdsStaleLock, releaseLock, takeOverStaleLock } from './lock.js';
import { FAILED_PROPERTY, IMPORTING_PROPERTY, parseStoreList, storeList } from './properties.js';
import { checkImportStatus, resolveTargetStores } from './request.js';
import { recoverImports, type Recovery } from './recover.js';
import { restoreImage } from './restore.js';
import { sweepLeftovers } from './sweep.js';
import { runImport, type RunDeps } from './run.js';
import { stageHostFor, type RelayedAnswer } from './stage-host.js';

export interface ImportsDeps extends Omit<ImportParts, 'resolve'> {
  plugins: readonly ResolvedPlugin[];
  log: Logger;
  /** This node's id (see `nodeId`): recorded on each task it runs; recovery touches only its own. */
  node: string;
  /** How web sources' names are resolved; default node:dns `lookup` (tests play DNS with it). */
  resolve?: Resolver;
  /** This node's URL as other nodes reach it (`worker_self_reference_url`, else `public_endpoint`). */
  selfUrl?: string | undefined;
}

/** An import call, as the route has parsed it. */
export interface StartRequest {
  /** The image, as the caller may see it. */
  image: ImageRecord;
  request: ImportRequest;
  caller: CallerIdentity;
  requestId: string;
  /** `x-image-meta-store`. */
  storeHeader: string | undefined;
  /** The caller's policy check, run where Glance runs it: after the status check, before the lock. */
  authorize(rule: string, image: ImageRecord): void;
  /** Whether another node already relayed this call here (it then runs here, whatever the stage host). */
  relayed: boolean;
  /** Replay this call to the node that staged the image, with the caller's credentials. */
  relay(host: string): Promise<RelayedAnswer>;
}

/** What an import call came to: a task here (none when there is nothing to copy), or the stage host's answer. */
export type StartOutcome = { taskId: string | undefined; relayed?: undefined } | { relayed: RelayedAnswer; taskId?: undefined };

interface Running {
  imageId: string;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * The import service: starts an import (status, policy, lock, task, quotas), then runs it as a
 * flow, at most `[wsgi] task_pool_threads` at once, the rest waiting in order; stops imports
 * (image deleted, lock taken over, shutdown) and, at start-up, fails those a stopped process left.
 */
export class Imports {
  private readonly d: RunDeps;
  private readonly selfUrl: string | undefined;
  private readonly running = new Map<string, Running>();
  private readonly queue: ImportJob[] = [];
  private cutGrace: (() => void) | undefined;

  readonly node: string;

  constructor(deps: ImportsDeps) {
    const { selfUrl, ...parts } = deps;
    this.d = { ...parts, resolve: deps.resolve ?? systemResolver };
    this.selfUrl = selfUrl;
    this.node = deps.node;
  }

  /** `[DEFAULT] enable_image_import`. */
  get enabled(): boolean {
    return this.d.settings.enabled;
  }

  /** The names of the methods this site offers (`[DEFAULT] enabled_import_methods`). */
  get offered(): readonly string[] {
    return this.d.settings.methods;
  }

  /** Whether this site offers the method. */
  offers(method: ImportMethod): boolean {
    return this.d.settings.methods.includes(method.name);
  }

  get active(): number {
    return this.running.size;
  }

  /** Imports accepted and waiting for a free worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** During a shutdown: stop the running imports now rather than at the end of the grace period. */
  hurry(): void {
    this.cutGrace?.();
  }

  /**
   * Checks an import call in Glance's order (status, policy, lock, stores, the method's own checks,
   * quotas), then records its task, takes the image's lock and queues it. Resolves to the task id,
   * or undefined when there is nothing to import (copy-image to stores that all hold the data). A
   * glance-direct import of data staged on another node is relayed there (Glance's step 11).
   */
  async start(s: StartRequest): Promise<StartOutcome> {
    const { db, stores: set, quotas } = this.d;
    const method = methodNamed(s.request.method.name);
    if (!method) throw giError('GI_API_BAD_REQUEST', { message: `Unknown import method name '${s.request.method.name}'.` });
    let image = s.image;
    try {
      checkImportStatus(image, method);
    } catch (e) {
      // An image a dead import left behind (stale lock) gets its pre-import status back by the
      // takeover, and is judged again.
      if (!(await holdsStaleLock(db, image))) throw e;
      s.authorize(method.policyRule, image);
      image = await this.takeOver(image);
      checkImportStatus(image, method);
    }
    s.authorize(method.policyRule, image);
    image = await this.takeOver(image);
    const stores = resolveTargetStores(set, method, s.request, image, s.storeHeader);
    // Only glance-direct reads the staged data where it lies; the other methods fill staging themselves.
    const stageHost = method.name === 'glance-direct' ? stageHostFor(image, this.selfUrl, s.relayed) : undefined;
    if (stageHost) {
      this.d.log.info({ image_id: image.id, stage_host: stageHost }, 'relaying the import to the node that staged the image');
      return { relayed: await s.relay(stageHost) };
    }
    await method.validate?.(this.d, s.request, image, s.caller);
    if (stores.length === 0) return { taskId: undefined };
    for (const [quota, delta] of method.quotas(image, stores.length)) await quotas.enforce(image.owner ?? '', quota, delta);
    const before = beforeOf(image);
    const { caller } = s;
    const input: ImportTaskInput = {
      image_id: image.id,
      import_req: s.request,
      backend: set.multi ? stores : [],
      previous: before,
      caller: { userId: caller.userId, projectId: caller.projectId, roles: caller.roles, isAdmin: caller.isAdmin },
    };
    const task = await db.tasks.create({
      id: randomUUID(),
      type: 'api_image_import',
      owner: caller.projectId,
      image_id: image.id,
      request_id: s.requestId,
      user_id: caller.userId,
      input,
      node: this.node,
    });
    if (!(await acquireLock(db, image.id, task.id))) {
      // Glance persists the task only once it holds the lock: the caller gets 409 and no task is left.
      await db.tasks.discard(task.id);
      throw giError('GI_API_CONFLICT', { message: `New operation on image '${image.id}' is not permitted as prior operation is still in progress` });
    }
    try {
      // The image shows `importing` (and where it is going) as soon as the call returns. Unlike
      // Glance, os_glance_stage_host stays until the import succeeds: a retry needs the stage host.
      await db.images.update(
        image.id,
        {
          columns: method.copiesActiveImage ? {} : { status: 'importing' },
          setProperties: {
            [IMPORTING_PROPERTY]: storeList(set.multi ? [...parseStoreList(image.properties[IMPORTING_PROPERTY]), ...stores] : []),
            [FAILED_PROPERTY]: storeList(parseStoreList(image.properties[FAILED_PROPERTY]).filter((x) => !stores.includes(x))),
          },
        },
        { fromStatus: [image.status] },
      );
    } catch (e) {
      await releaseLock(db, image.id, task.id);
      await db.tasks.update(task.id, { status: 'failure', message: 'The image changed status before the import could start.' });
      throw giError('GI_API_CONFLICT', { message: `Image ${image.id} changed status while the import was starting; try again.` }, { cause: e });
    }
    this.queue.push({ taskId: task.id, imageId: image.id, method, request: s.request, stores, before, caller, requestId: s.requestId });
    this.pump();
    return { taskId: task.id };
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
    const { db, settings, log } = this.d;
    for (const j of this.queue.splice(0)) {
      await db.tasks
        .update(j.taskId, {
          status: 'failure',
          message: 'The server shut down before this import started; import again.',
          expires_at: expiry(settings.taskTtlHours),
        })
        .catch(() => {});
      await restoreImage(this.d, j.imageId, j.taskId, j.before, j.stores, log, { allFailed: j.method.failsAllStores }).catch(() => {});
    }
    const done = this.drain();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
      this.cutGrace = () => resolve('late');
    });
    if ((await Promise.race([done.then(() => 'done' as const), late])) === 'late') {
      if (this.running.size) log.warn({ imports: this.running.size }, `stopping ${this.running.size} running import(s); they revert and can be imported again`);
      await Promise.all([...this.running.keys()].map((id) => this.abortTask(id, 'the server is shutting down')));
    }
    clearTimeout(timer);
    this.cutGrace = undefined;
    await done;
  }

  /**
   * At start-up, before serving: this node's imports its last process left unfinished are
   * completed (past their commit point), resumed from their last completed step, or reverted
   * (recover.ts); then the sweeps; then the resumed imports are queued.
   */
  async recoverInterrupted(): Promise<Omit<Recovery, 'resumed'> & { resumed: number }> {
    const r = await recoverImports({ ...this.d, node: this.node });
    await sweepLeftovers(this.d);
    this.queue.push(...r.resumed);
    this.pump();
    return { ...r, resumed: r.resumed.length };
  }

  /** Take over the image's lock if a dead import left it (else 409 while another import runs). */
  private takeOver(image: ImageRecord): Promise<ImageRecord> {
    const { db, staging, settings, log } = this.d;
    return takeOverStaleLock(
      {
        db,
        staging,
        log,
        taskTtlHours: settings.taskTtlHours,
        stop: (taskId, reason) => this.abortTask(taskId, reason),
        restore: (taskId, input) => restoreImage(this.d, image.id, taskId, input.previous, input.backend ?? [], log, { allFailed: failsAllStores(input) }),
      },
      image,
    );
  }

  private pump(): void {
    while (this.running.size < this.d.settings.poolSize && this.queue.length) {
      const job = this.queue.shift()!;
      const abort = new AbortController();
      const entry: Running = { imageId: job.imageId, abort, done: Promise.resolve() };
      this.running.set(job.taskId, entry);
      entry.done = runImport(this.d, job, abort.signal).finally(() => {
        this.running.delete(job.taskId);
        this.pump();
      });
    }
  }
}

/** A task record names its method; one this server no longer knows counts every store failed. */
const failsAllStores = (input: ImportTaskInput): boolean => methodNamed(input.import_req.method.name)?.failsAllStores ?? true;
