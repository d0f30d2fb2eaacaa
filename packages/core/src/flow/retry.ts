import type { AtomFailure } from './task.js';

export type RetryDecision = 'retry' | 'revert' | 'revert_all';

export interface RetryHistory {
  /** Attempts of the scope so far, including the one that just failed. */
  readonly attempt: number;
  /** Failures of the attempt that just failed. */
  readonly failures: readonly AtomFailure[];
}

/**
 * Decides what a flow does when something inside it fails (taskflow's retry atoms):
 * `retry` reverts the flow's tasks and runs them again; `revert` reverts them and passes the failure
 * to the enclosing flow; `revert_all` reverts the whole run at once.
 */
export interface RetryController {
  readonly name: string;
  onFailure(history: RetryHistory): RetryDecision;
}

/** Never retry: revert and let the failure go up (the import flow's top-level controller). */
export function alwaysRevert(): RetryController {
  return { name: 'AlwaysRevert', onFailure: () => 'revert' };
}

/** Revert everything that ran in the whole run, whatever the enclosing flows would decide. */
export function alwaysRevertAll(): RetryController {
  return { name: 'AlwaysRevertAll', onFailure: () => 'revert_all' };
}

/** Run the flow up to `attempts` times in all; then revert (or revert everything with `revertAll`). */
export function times(attempts: number, options: { revertAll?: boolean } = {}): RetryController {
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`times(): attempts must be an integer >= 1, got ${attempts}`);
  return {
    name: `Times(${attempts})`,
    onFailure: (h) => (h.attempt < attempts ? 'retry' : options.revertAll ? 'revert_all' : 'revert'),
  };
}
