import { setTimeout as sleep } from 'node:timers/promises';
import { callJson, isTransient, type Api } from './api.js';
import { cliError } from './errors.js';
import { PhaseBars, type TaskProgress } from './phase-bars.js';

export interface ImportTask {
  id: string;
  status: string;
  message: string;
  request_id: string | null;
  progress?: TaskProgress | null;
}

export interface WaitOptions {
  /** Seconds between two looks at the task. */
  intervalMs: number;
  /** How long the service may stay unreachable (restarting, draining) before the command gives up. */
  unreachableMs: number;
  /** The request id of the import call: its task is the one to follow (another client may import the same image). */
  requestId: string | null;
  phases: PhaseBars;
  note(text: string): void;
}

export interface ImportOutcome {
  ok: boolean;
  task: ImportTask | undefined;
  /** The image's status when the task ended. */
  status: string;
}

/**
 * Follow an import until its task ends. A service that is restarting does not end the wait: while
 * it cannot be reached (or answers 502/503/504) the command says so once and keeps asking, for up
 * to `unreachableMs`, then reports how the import really ended (a graceful restart lets it finish;
 * a stopped one is failed by the service, which says so in the task).
 */
export async function waitForImport(api: Api, imageId: string, o: WaitOptions): Promise<ImportOutcome> {
  let lostSince: number | undefined;
  let lastStatus = 'importing';
  for (;;) {
    try {
      const image = await callJson<{ status: string }>(api, 'GET', `/v2/images/${imageId}`);
      const { tasks } = await callJson<{ tasks: ImportTask[] }>(api, 'GET', `/v2/images/${imageId}/tasks`);
      if (lostSince !== undefined) o.note(`the Image API at ${api.endpoint} answers again`);
      lostSince = undefined;
      lastStatus = image.status;
      const task = tasks.find((t) => o.requestId && t.request_id === o.requestId) ?? tasks[0];
      if (task?.status === 'success' && image.status === 'active') {
        o.phases.end(task.progress);
        return { ok: true, task, status: image.status };
      }
      if (task?.status === 'failure') {
        o.phases.end(task.progress, 'failed');
        return { ok: false, task, status: image.status };
      }
      o.phases.show(task?.progress);
    } catch (e) {
      if (!isTransient(e)) throw e;
      const now = Date.now();
      if (lostSince === undefined) {
        lostSince = now;
        o.note(
          `the Image API at ${api.endpoint} does not answer (${reasonOf(e)}); waiting up to ${Math.round(o.unreachableMs / 1000)} s for it (a restart lets the import finish or fails it)`,
        );
      } else if (now - lostSince >= o.unreachableMs) {
        throw cliError('GI_CLI_WAIT_TIMEOUT', { imageId, seconds: Math.round(o.unreachableMs / 1000), status: lastStatus }, { cause: e });
      }
    }
    await sleep(o.intervalMs);
  }
}

const reasonOf = (e: unknown) => (e as { details?: { reason?: string } }).details?.reason ?? (e as Error).message;
