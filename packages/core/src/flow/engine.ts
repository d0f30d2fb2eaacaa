import { randomUUID } from 'node:crypto';
import { giError, reasonOf, type GlanceImportError } from '../errors.js';
import { compileFlow, type CompiledAtom, type CompiledFlow } from './compile.js';
import type { Flow } from './flows.js';
import { serializeError, type AtomState, type FlowPersistence, type FlowState } from './persistence.js';
import { alwaysRevert, type RetryController } from './retry.js';
import type { AtomContext, AtomFailure, Outcome } from './task.js';

export type EngineMode = 'serial' | 'parallel';

export interface AtomEvent {
  readonly flowId: string;
  readonly atom: string;
  readonly state: AtomState;
  readonly previous: AtomState;
  readonly attempt: number;
  readonly result?: unknown;
  readonly error?: unknown;
}

export interface FlowEvent {
  readonly flowId: string;
  readonly flow: string;
  readonly state: FlowState;
}

export interface EngineListener {
  onAtom?(event: AtomEvent): void;
  onFlow?(event: FlowEvent): void;
}

export interface EngineOptions {
  /** `[taskflow_executor] engine_mode`; default parallel, as in Glance. */
  mode?: EngineMode;
  /** `[taskflow_executor] max_workers`: atoms running at once in parallel mode; default 10. */
  maxWorkers?: number;
  /** Values available to every task by name (taskflow's store). */
  inputs?: Record<string, unknown>;
  persistence?: FlowPersistence;
  /** Identifies the run in persistence; default a new UUID. */
  flowId?: string;
  /** Skip atoms the persistence port already recorded as SUCCESS for this flowId (crash recovery). */
  resume?: boolean;
  signal?: AbortSignal;
  listeners?: EngineListener[];
}

/** What an earlier, interrupted run of this flowId left, and whether running on from it is safe. */
export interface ResumePlan {
  /** Atoms that completed (SUCCESS): a resumed run skips them. */
  readonly completed: readonly string[];
  /** Atoms that started and did not complete (running, failed or reverting when the process stopped). */
  readonly interrupted: readonly string[];
  /** Why the run cannot go on (empty when it can): an interrupted atom not rerunnable, a revert under way, an atom this flow lacks. */
  readonly blockers: readonly string[];
}

export interface FlowResult {
  readonly flowId: string;
  /** Engine inputs overlaid with every provided name, the most recent provider winning. */
  readonly values: Record<string, unknown>;
  /** Each atom's raw result by atom name. */
  readonly results: Record<string, unknown>;
}

export type FlowError = GlanceImportError<'GI_FLOW_FAILED' | 'GI_FLOW_CANCELLED'> & {
  /** Every failure of the run, the original one first, then any revert failures. */
  readonly failures: readonly AtomFailure[];
  /** True when every atom that ran was reverted cleanly. */
  readonly reverted: boolean;
};

const CANCELLED = Symbol('cancelled');

/** Runs a flow: executes atoms in dependency order, reverts in reverse order on failure. */
export class Engine {
  readonly flowId: string;
  readonly compiled: CompiledFlow;
  private readonly mode: EngineMode;
  private readonly maxWorkers: number;
  private readonly inputs: Record<string, unknown>;
  private readonly listeners: EngineListener[];
  private readonly state: AtomState[];
  private readonly results: unknown[];
  private readonly attempts: number[];
  /** Atoms that executed (in start order) and have not been reverted yet. */
  private log: number[] = [];
  private readonly failures: AtomFailure[] = [];
  private started = false;

  constructor(
    readonly flow: Flow,
    private readonly options: EngineOptions = {},
  ) {
    this.mode = options.mode ?? 'parallel';
    if (this.mode !== 'serial' && this.mode !== 'parallel') throw new RangeError(`engine mode must be 'serial' or 'parallel', got '${String(this.mode)}'`);
    this.maxWorkers = this.mode === 'serial' ? 1 : (options.maxWorkers ?? 10);
    if (!Number.isInteger(this.maxWorkers) || this.maxWorkers < 1) throw new RangeError(`maxWorkers must be an integer >= 1, got ${this.maxWorkers}`);
    this.inputs = { ...(options.inputs ?? {}) };
    this.compiled = compileFlow(flow, Object.keys(this.inputs));
    this.flowId = options.flowId ?? randomUUID();
    this.listeners = [...(options.listeners ?? [])];
    const n = this.compiled.atoms.length;
    this.state = new Array<AtomState>(n).fill('PENDING');
    this.results = new Array<unknown>(n);
    this.attempts = new Array<number>(n).fill(0);
  }

  /** Add a listener; returns a function that removes it. */
  on(listener: EngineListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Current state of every atom by name. */
  states(): Record<string, AtomState> {
    return Object.fromEntries(this.compiled.atoms.map((a) => [a.name, this.state[a.index]!]));
  }

  async run(): Promise<FlowResult> {
    if (this.started) throw new Error('an engine runs once; build a new one to run the flow again');
    this.started = true;
    await this.restore();
    await this.setFlow('RUNNING');
    const scopeAttempts = new Map<Flow, number>();
    for (;;) {
      const failed = await this.runReady();
      if (failed.length === 0) {
        await this.setFlow('SUCCESS');
        return this.result();
      }
      const cancelled = failed.includes(CANCELLED);
      const first = this.compiled.atoms[failed.find((f): f is number => f !== CANCELLED) ?? -1];
      await this.setFlow('REVERTING');
      const retryScope = cancelled || !first ? undefined : await this.unwind(first, scopeAttempts);
      if (retryScope === 'revert-failed') return this.fail(false);
      if (retryScope) {
        scopeAttempts.set(retryScope, (scopeAttempts.get(retryScope) ?? 1) + 1);
        await this.setFlow('RUNNING');
        continue;
      }
      if (!(await this.revert(() => true))) return this.fail(false);
      return this.fail(true);
    }
  }

  /**
   * After a crash: what the earlier run of this flowId recorded, and whether `run()` with `resume`
   * may go on from it: only when every atom it started and did not complete is `rerunnable` (an
   * atom it never started runs for the first time) and it was not already reverting.
   */
  async resumePlan(): Promise<ResumePlan> {
    const p = this.options.persistence;
    if (!p) throw new Error('resumePlan needs a persistence port');
    const byName = new Map(this.compiled.atoms.map((a) => [a.name, a]));
    const completed: string[] = [];
    const interrupted: string[] = [];
    const blockers: string[] = [];
    for (const r of await p.loadAtoms(this.flowId)) {
      const atom = byName.get(r.atom);
      if (!atom) blockers.push(`${r.atom} is not a step of this flow`);
      if (r.state === 'SUCCESS') completed.push(r.atom);
      else if (r.state !== 'PENDING') interrupted.push(r.atom);
      if (r.state === 'REVERTING' || r.state === 'REVERTED' || r.state === 'REVERT_FAILURE') blockers.push(`${r.atom} was being reverted`);
      else if (r.state !== 'SUCCESS' && r.state !== 'PENDING' && atom && !atom.task.rerunnable) blockers.push(`${r.atom} cannot safely run again`);
    }
    return { completed, interrupted, blockers };
  }

  /**
   * After a crash, instead of `run()`: execute nothing, revert newest first every atom the earlier
   * run of this flowId executed and did not revert (completed ones told their recorded result, the
   * interrupted ones a failure with `reason`), then reject as a failed run does.
   */
  async rollBack(reason: unknown): Promise<never> {
    const p = this.options.persistence;
    if (!p) throw new Error('rollBack needs a persistence port');
    if (this.started) throw new Error('an engine runs once; build a new one to run the flow again');
    this.started = true;
    const records = new Map((await p.loadAtoms(this.flowId)).map((r) => [r.atom, r]));
    this.failures.push({ atom: this.flow.name, phase: 'execute', error: reason });
    for (const atom of [...this.compiled.atoms].sort((a, b) => a.order - b.order)) {
      const r = records.get(atom.name);
      if (!r || r.state === 'PENDING' || r.state === 'REVERTED') continue;
      // One the crash caught reverting had succeeded unless its record holds an error.
      const succeeded = r.state === 'SUCCESS' || (r.state === 'REVERTING' && !r.error);
      this.state[atom.index] = succeeded ? 'SUCCESS' : 'FAILURE';
      this.results[atom.index] = r.result;
      this.attempts[atom.index] = r.attempt;
      if (!succeeded) this.failures.push({ atom: atom.name, phase: 'execute', error: reason });
      this.log.push(atom.index);
    }
    await this.setFlow('REVERTING');
    return this.fail(await this.revert(() => true));
  }

  /** Execute every runnable atom; stop starting new ones after a failure. Returns what failed. */
  private async runReady(): Promise<Array<number | typeof CANCELLED>> {
    const running = new Map<number, Promise<void>>();
    const failed: Array<number | typeof CANCELLED> = [];
    const signal = this.options.signal;
    let wake: () => void = () => {};
    const onAbort = () => wake();
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal?.aborted && !failed.includes(CANCELLED)) {
          failed.push(CANCELLED);
          this.failures.push({
            atom: this.flow.name,
            phase: 'execute',
            error: giError('GI_FLOW_CANCELLED', { flow: this.flow.name, reason: reasonOf(signal.reason ?? 'aborted') }),
          });
        }
        if (failed.length === 0) {
          for (const atom of this.ready()) {
            if (running.size >= this.maxWorkers) break;
            running.set(
              atom.index,
              this.execute(atom).then((ok) => {
                running.delete(atom.index);
                if (!ok) failed.push(atom.index);
              }),
            );
          }
        }
        if (running.size === 0) return failed;
        await new Promise<void>((resolve) => {
          wake = resolve;
          void Promise.race(running.values()).then(resolve);
        });
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private ready(): CompiledAtom[] {
    return this.compiled.atoms
      .filter((a) => this.state[a.index] === 'PENDING' && [...a.preds].every((p) => this.state[p] === 'SUCCESS'))
      .sort((a, b) => a.order - b.order);
  }

  private async execute(atom: CompiledAtom): Promise<boolean> {
    const i = atom.index;
    this.attempts[i]! += 1;
    this.log.push(i);
    await this.transition(atom, 'RUNNING');
    try {
      const value = await atom.task.execute(this.inputsFor(atom), this.context(atom));
      const missing = atom.task.provides.length > 1 ? atom.task.provides.filter((p) => typeof value !== 'object' || value === null || !(p in value)) : [];
      if (missing.length) throw giError('GI_FLOW_RESULT_SHAPE', { atom: atom.name, missing });
      this.results[i] = value;
      await this.transition(atom, 'SUCCESS', { result: value });
      return true;
    } catch (error) {
      this.results[i] = undefined;
      this.failures.push({ atom: atom.name, phase: 'execute', error });
      await this.transition(atom, 'FAILURE', { error });
      return false;
    }
  }

  /**
   * Walk the failed atom's enclosing flows from the innermost out, asking each retry controller what
   * to do. Returns the flow to run again, undefined to revert everything, or 'revert-failed'.
   */
  private async unwind(atom: CompiledAtom, scopeAttempts: Map<Flow, number>): Promise<Flow | undefined | 'revert-failed'> {
    const scopes = [...atom.scopes].reverse();
    const round = this.failures.filter((f) => f.phase === 'execute').slice(-1);
    for (const scope of scopes) {
      const controller: RetryController | undefined = scope.retry ?? (scope === this.flow ? alwaysRevert() : undefined);
      if (!controller) continue;
      const decision = controller.onFailure({ attempt: scopeAttempts.get(scope) ?? 1, failures: round });
      if (decision === 'revert_all') return undefined;
      const inScope = (a: number) => this.compiled.atoms[a]!.scopes.includes(scope);
      if (!(await this.revert(inScope))) return 'revert-failed';
      if (decision === 'retry') {
        for (const a of this.compiled.atoms) if (inScope(a.index)) await this.transition(a, 'PENDING');
        return scope;
      }
    }
    return undefined;
  }

  /** Revert, newest first, every executed atom the predicate selects. False when a revert threw. */
  private async revert(select: (atom: number) => boolean): Promise<boolean> {
    for (const i of [...this.log].reverse()) {
      if (!select(i)) continue;
      const atom = this.compiled.atoms[i]!;
      const before = this.state[i]!;
      const outcome: Outcome =
        before === 'SUCCESS'
          ? { kind: 'success', value: this.results[i] }
          : { kind: 'failure', error: [...this.failures].reverse().find((f) => f.atom === atom.name)?.error };
      await this.transition(atom, 'REVERTING');
      try {
        await atom.task.revert?.(this.inputsFor(atom), { ...outcome, flowFailures: [...this.failures] }, this.context(atom));
        this.log = this.log.filter((x) => x !== i);
        await this.transition(atom, 'REVERTED');
      } catch (error) {
        this.failures.push({ atom: atom.name, phase: 'revert', error });
        await this.transition(atom, 'REVERT_FAILURE', { error });
        return false;
      }
    }
    return true;
  }

  private inputsFor(atom: CompiledAtom): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, b] of atom.bindings) {
      if (b.from === 'store') {
        out[name] = this.inputs[name];
        continue;
      }
      const provider = this.compiled.atoms[b.atom]!;
      const r = this.results[b.atom];
      out[name] = provider.task.provides.length > 1 ? (r as Record<string, unknown>)[b.key] : r;
    }
    return out;
  }

  private context(atom: CompiledAtom): AtomContext {
    return { signal: this.options.signal ?? new AbortController().signal, flowId: this.flowId, atom: atom.name, attempt: this.attempts[atom.index]! };
  }

  private result(): FlowResult {
    const values: Record<string, unknown> = { ...this.inputs };
    const results: Record<string, unknown> = {};
    for (const a of [...this.compiled.atoms].sort((x, y) => x.order - y.order)) {
      const r = this.results[a.index];
      results[a.name] = r;
      if (a.task.provides.length === 1) values[a.task.provides[0]!] = r;
      else for (const p of a.task.provides) values[p] = (r as Record<string, unknown>)[p];
    }
    return { flowId: this.flowId, values, results };
  }

  private async fail(reverted: boolean): Promise<never> {
    await this.setFlow(reverted ? 'REVERTED' : 'FAILURE');
    const original = this.failures[0]!;
    const cancelled = original.error && (original.error as { code?: string }).code === 'GI_FLOW_CANCELLED';
    const err = cancelled
      ? (original.error as GlanceImportError<'GI_FLOW_CANCELLED'>)
      : giError('GI_FLOW_FAILED', { flow: this.flow.name, atom: original.atom, reason: reasonOf(original.error) }, { cause: original.error });
    throw Object.assign(err, { failures: [...this.failures], reverted }) as FlowError;
  }

  /** Load SUCCESS atoms of an earlier run of this flowId so they are not executed again. */
  private async restore(): Promise<void> {
    const p = this.options.persistence;
    if (!this.options.resume || !p) return;
    const records = new Map((await p.loadAtoms(this.flowId)).map((r) => [r.atom, r]));
    for (const atom of [...this.compiled.atoms].sort((a, b) => a.order - b.order)) {
      const r = records.get(atom.name);
      if (r?.state !== 'SUCCESS') continue;
      this.state[atom.index] = 'SUCCESS';
      this.results[atom.index] = r.result;
      this.attempts[atom.index] = r.attempt;
      this.log.push(atom.index);
    }
  }

  private async transition(atom: CompiledAtom, state: AtomState, extra: { result?: unknown; error?: unknown } = {}): Promise<void> {
    const previous = this.state[atom.index]!;
    this.state[atom.index] = state;
    const attempt = this.attempts[atom.index]!;
    await this.options.persistence?.saveAtom({
      flowId: this.flowId,
      atom: atom.name,
      state,
      attempt,
      updatedAt: new Date().toISOString(),
      ...('result' in extra ? { result: extra.result } : {}),
      ...(extra.error !== undefined ? { error: serializeError(extra.error) } : {}),
    });
    this.emit((l) => l.onAtom?.({ flowId: this.flowId, atom: atom.name, state, previous, attempt, ...extra }));
  }

  private async setFlow(state: FlowState): Promise<void> {
    await this.options.persistence?.saveFlow({ flowId: this.flowId, name: this.flow.name, state, updatedAt: new Date().toISOString() });
    this.emit((l) => l.onFlow?.({ flowId: this.flowId, flow: this.flow.name, state }));
  }

  /** Listeners observe; one that throws must not change the outcome of the flow. */
  private emit(call: (l: EngineListener) => void): void {
    for (const l of this.listeners) {
      try {
        call(l);
      } catch {
        /* observers cannot fail the flow */
      }
    }
  }
}

/** Build and run in one call. */
export function runFlow(flow: Flow, options?: EngineOptions): Promise<FlowResult> {
  return new Engine(flow, options).run();
}
