/** The atom of work: our analogue of a taskflow Task. */

export type Outcome<T = unknown> = { readonly kind: 'success'; readonly value: T } | { readonly kind: 'failure'; readonly error: unknown };

/** One failure seen while a flow ran: an execute that threw, or a revert that threw. */
export interface AtomFailure {
  readonly atom: string;
  readonly phase: 'execute' | 'revert';
  readonly error: unknown;
}

/** What revert() is told: how this task's execute ended, and every failure of the flow so far. */
export type RevertOutcome<T = unknown> = Outcome<T> & { readonly flowFailures: readonly AtomFailure[] };

export interface AtomContext {
  /** Aborted when the flow is cancelled; long-running tasks must watch it. */
  readonly signal: AbortSignal;
  readonly flowId: string;
  readonly atom: string;
  /** 1 on the first run, incremented each time a retry controller re-runs the atom. */
  readonly attempt: number;
}

// Task inputs are a name -> value map whose shape each task declares itself.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Inputs = Record<string, any>;

export interface Task<I extends Inputs = Inputs, O = unknown> {
  readonly kind: 'task';
  readonly name: string;
  /** Names this task reads; each is bound at build time to the latest provider ordered before it. */
  readonly requires: readonly string[];
  /**
   * Names this task's result is stored under. One name: the result itself. Several names: the
   * result must be an object with one key per name.
   */
  readonly provides: readonly string[];
  /**
   * True when `execute` may run again after a run the process did not finish (killed mid-way):
   * from the same inputs it gives a result as good as a first run's, whatever the cut-short run
   * left (partial files, attributes already set). A flow interrupted in such a task resumes there
   * after a restart; one interrupted in any other task is reverted. Default false.
   */
  readonly rerunnable?: boolean;
  execute(inputs: I, ctx: AtomContext): Promise<O> | O;
  revert?(inputs: I, outcome: RevertOutcome<O>, ctx: AtomContext): Promise<void> | void;
}

export interface TaskSpec<I extends Inputs, O> {
  name: string;
  requires?: ReadonlyArray<keyof I & string>;
  provides?: string | readonly string[];
  /** See `Task.rerunnable`; default false. */
  rerunnable?: boolean;
  execute(inputs: I, ctx: AtomContext): Promise<O> | O;
  revert?(inputs: I, outcome: RevertOutcome<O>, ctx: AtomContext): Promise<void> | void;
}

/** Declare a task; `requires` and `provides` are checked against the flow when an engine is built. */
export function defineTask<I extends Inputs = Inputs, O = unknown>(spec: TaskSpec<I, O>): Task<I, O> {
  if (!spec.name) throw new TypeError('a task needs a name');
  const provides = spec.provides === undefined ? [] : typeof spec.provides === 'string' ? [spec.provides] : [...spec.provides];
  return {
    kind: 'task',
    name: spec.name,
    requires: [...(spec.requires ?? [])],
    provides,
    ...(spec.rerunnable ? { rerunnable: true } : {}),
    execute: spec.execute,
    ...(spec.revert ? { revert: spec.revert } : {}),
  };
}
