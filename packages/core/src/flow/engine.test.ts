import { describe, expect, it } from 'vitest';
import { isGlanceImportError } from '../errors.js';
import { Engine, runFlow, type AtomEvent, type FlowError } from './engine.js';
import { graphFlow, linearFlow, unorderedFlow } from './flows.js';
import { MemoryPersistence } from './persistence.js';
import { times } from './retry.js';
import { defineTask, type RevertOutcome } from './task.js';

type Journal = string[];

/** A task that records execute/revert into a journal; `fail` makes execute throw. */
function step(
  journal: Journal,
  name: string,
  o: { fail?: boolean; revertFails?: boolean; requires?: string[]; provides?: string; value?: unknown; rerunnable?: boolean } = {},
) {
  return defineTask({
    name,
    rerunnable: o.rerunnable ?? false,
    requires: o.requires ?? [],
    provides: o.provides,
    execute: async (inputs) => {
      journal.push(`execute ${name}${o.requires?.length ? ` ${JSON.stringify(inputs)}` : ''}`);
      if (o.fail) throw new Error(`${name} broke`);
      return o.value ?? `${name}-result`;
    },
    revert: async (_inputs, outcome: RevertOutcome) => {
      journal.push(`revert ${name} ${outcome.kind}`);
      if (o.revertFails) throw new Error(`${name} revert broke`);
    },
  });
}

async function failure(p: Promise<unknown>): Promise<FlowError> {
  try {
    await p;
  } catch (e) {
    return e as FlowError;
  }
  throw new Error('expected the flow to fail');
}

describe('engine: execute and revert', () => {
  it('runs a linear flow in order and passes provided values along', async () => {
    const j: Journal = [];
    const flow = linearFlow(
      'f',
      {},
      step(j, 'a', { provides: 'file_path', value: '/a' }),
      step(j, 'b', { requires: ['file_path'], provides: 'file_path', value: '/b' }),
      step(j, 'c', { requires: ['file_path'] }),
    );
    const result = await runFlow(flow, { mode: 'serial' });
    expect(j).toEqual(['execute a', 'execute b {"file_path":"/a"}', 'execute c {"file_path":"/b"}']);
    expect(result.values.file_path).toBe('/b');
  });

  it('on failure of task N reverts N, then N-1 … 1; tasks after N never run nor revert', async () => {
    const j: Journal = [];
    const flow = linearFlow('f', {}, step(j, 'a'), step(j, 'b'), step(j, 'c', { fail: true }), step(j, 'd'));
    const err = await failure(runFlow(flow, { mode: 'serial' }));
    expect(j).toEqual(['execute a', 'execute b', 'execute c', 'revert c failure', 'revert b success', 'revert a success']);
    expect(err.code).toBe('GI_FLOW_FAILED');
    expect(err.reverted).toBe(true);
    expect(err.failures.map((f) => [f.atom, f.phase])).toEqual([['c', 'execute']]);
    expect(err.message).toContain('c broke');
  });

  it('tells revert the value it succeeded with, or the error it failed with, and every failure so far', async () => {
    const seen: RevertOutcome[] = [];
    const t = (name: string, fail: boolean) =>
      defineTask({
        name,
        execute: () => {
          if (fail) throw new Error('boom');
          return 42;
        },
        revert: (_i, outcome) => {
          seen.push(outcome);
        },
      });
    await failure(runFlow(linearFlow('f', {}, t('ok', false), t('bad', true))));
    expect(seen[0]).toMatchObject({ kind: 'failure' });
    expect((seen[0] as { error: Error }).error.message).toBe('boom');
    expect(seen[1]).toMatchObject({ kind: 'success', value: 42 });
    expect(seen[1]!.flowFailures.map((f) => f.atom)).toEqual(['bad']);
  });

  it('a revert that throws stops further reverts and the error carries every failure, original first', async () => {
    const j: Journal = [];
    const flow = linearFlow('f', {}, step(j, 'a'), step(j, 'b', { revertFails: true }), step(j, 'c', { fail: true }));
    const err = await failure(runFlow(flow, { mode: 'serial' }));
    expect(j).toEqual(['execute a', 'execute b', 'execute c', 'revert c failure', 'revert b success']);
    expect(err.reverted).toBe(false);
    expect(err.failures.map((f) => `${f.atom}:${f.phase}`)).toEqual(['c:execute', 'b:revert']);
    expect((err.cause as Error).message).toBe('c broke');
  });

  it('announces every state change to listeners, after writing it through the persistence port', async () => {
    const j: Journal = [];
    const persistence = new MemoryPersistence();
    const events: AtomEvent[] = [];
    const engine = new Engine(linearFlow('f', {}, step(j, 'a'), step(j, 'b', { fail: true })), {
      persistence,
      flowId: 'flow-1',
      listeners: [
        {
          onAtom: (e) => {
            events.push(e);
            expect(persistence.journal.at(-1)).toMatchObject({ atom: e.atom, state: e.state });
          },
        },
      ],
    });
    await failure(engine.run());
    expect(events.map((e) => `${e.atom}:${e.previous}->${e.state}`)).toEqual([
      'a:PENDING->RUNNING',
      'a:RUNNING->SUCCESS',
      'b:PENDING->RUNNING',
      'b:RUNNING->FAILURE',
      'b:FAILURE->REVERTING',
      'b:REVERTING->REVERTED',
      'a:SUCCESS->REVERTING',
      'a:REVERTING->REVERTED',
    ]);
    const a = (await persistence.loadAtoms('flow-1')).find((r) => r.atom === 'a');
    expect(a?.state).toBe('REVERTED');
    expect(persistence.journal.find((r) => r.atom === 'a' && r.state === 'SUCCESS')?.result).toBe('a-result');
    expect(persistence.journal.find((r) => r.atom === 'b' && r.state === 'FAILURE')?.error?.message).toBe('b broke');
    expect((await persistence.loadFlow('flow-1'))?.state).toBe('REVERTED');
  });

  it('REVERT_FAILURE is recorded when a revert throws', async () => {
    const j: Journal = [];
    const persistence = new MemoryPersistence();
    await failure(new Engine(linearFlow('f', {}, step(j, 'a', { revertFails: true }), step(j, 'b', { fail: true })), { persistence, flowId: 'x' }).run());
    expect((await persistence.loadAtoms('x')).find((r) => r.atom === 'a')?.state).toBe('REVERT_FAILURE');
    expect((await persistence.loadFlow('x'))?.state).toBe('FAILURE');
  });

  it('resumes a flow: atoms persisted as SUCCESS are not executed again and their results are reused', async () => {
    const persistence = new MemoryPersistence();
    const j1: Journal = [];
    await failure(
      new Engine(linearFlow('f', {}, step(j1, 'a', { provides: 'x', value: 'from-a' }), step(j1, 'b', { fail: true, requires: ['x'] })), {
        persistence,
        flowId: 'r',
      }).run(),
    );
    // A crash leaves 'a' SUCCESS (simulate by writing the record a crashed run would have left).
    await persistence.saveAtom({ flowId: 'r', atom: 'a', state: 'SUCCESS', attempt: 1, result: 'from-a', updatedAt: new Date().toISOString() });
    const j2: Journal = [];
    const result = await new Engine(linearFlow('f', {}, step(j2, 'a', { provides: 'x', value: 'again' }), step(j2, 'b', { requires: ['x'] })), {
      persistence,
      flowId: 'r',
      resume: true,
    }).run();
    expect(j2).toEqual(['execute b {"x":"from-a"}']);
    expect(result.values.x).toBe('from-a');
  });
});

describe('engine: after a crash, resume or roll back', () => {
  const at = new Date().toISOString();
  /** What a process killed while running 'b' leaves: 'a' done, 'b' started. */
  async function crashedInB(): Promise<MemoryPersistence> {
    const persistence = new MemoryPersistence();
    await persistence.saveFlow({ flowId: 'c', name: 'f', state: 'RUNNING', updatedAt: at });
    await persistence.saveAtom({ flowId: 'c', atom: 'a', state: 'SUCCESS', attempt: 1, result: 'from-a', updatedAt: at });
    await persistence.saveAtom({ flowId: 'c', atom: 'b', state: 'RUNNING', attempt: 1, updatedAt: at });
    return persistence;
  }
  const flow = (j: Journal, bRerunnable: boolean) =>
    linearFlow(
      'f',
      {},
      step(j, 'a', { provides: 'x' }),
      step(j, 'b', { requires: ['x'], rerunnable: bRerunnable }),
      step(j, 'c'), // never started: it runs for the first time, rerunnable or not
    );

  it('may resume only when every atom started and not completed is rerunnable', async () => {
    const persistence = await crashedInB();
    expect(await new Engine(flow([], true), { persistence, flowId: 'c' }).resumePlan()).toEqual({ completed: ['a'], interrupted: ['b'], blockers: [] });
    expect((await new Engine(flow([], false), { persistence, flowId: 'c' }).resumePlan()).blockers).toEqual(['b cannot safely run again']);
    await persistence.saveAtom({ flowId: 'c', atom: 'a', state: 'REVERTING', attempt: 1, updatedAt: at });
    expect((await new Engine(flow([], true), { persistence, flowId: 'c' }).resumePlan()).blockers).toEqual(['a was being reverted']);
    const other = linearFlow('f', {}, step([], 'a', { provides: 'x' }));
    expect((await new Engine(other, { persistence, flowId: 'c' }).resumePlan()).blockers).toContain('b is not a step of this flow');
  });

  it('resumes from the last completed atom, running the interrupted one again', async () => {
    const j: Journal = [];
    await new Engine(flow(j, true), { persistence: await crashedInB(), flowId: 'c', resume: true }).run();
    expect(j).toEqual(['execute b {"x":"from-a"}', 'execute c']);
  });

  it('rolls back without executing: the interrupted atom reverts as failed, the completed ones with their recorded result', async () => {
    const j: Journal = [];
    const persistence = await crashedInB();
    const err = await failure(new Engine(flow(j, false), { persistence, flowId: 'c' }).rollBack(new Error('the server restarted')));
    expect(j).toEqual(['revert b failure', 'revert a success']);
    expect(err).toMatchObject({ code: 'GI_FLOW_FAILED', reverted: true });
    expect(err.message).toContain('the server restarted');
    expect((await persistence.loadAtoms('c')).map((r) => [r.atom, r.state])).toEqual([
      ['a', 'REVERTED'],
      ['b', 'REVERTED'],
    ]);
    expect((await persistence.loadFlow('c'))?.state).toBe('REVERTED');
  });

  it('rolls back a run the crash caught reverting: the atom it was reverting keeps its success, the reverted ones are not reverted again', async () => {
    const j: Journal = [];
    const persistence = await crashedInB();
    await persistence.saveAtom({ flowId: 'c', atom: 'b', state: 'FAILURE', attempt: 1, error: { name: 'Error', message: 'b broke' }, updatedAt: at });
    await persistence.saveAtom({ flowId: 'c', atom: 'b', state: 'REVERTED', attempt: 1, updatedAt: at });
    await persistence.saveAtom({ flowId: 'c', atom: 'a', state: 'REVERTING', attempt: 1, updatedAt: at });
    await failure(new Engine(flow(j, false), { persistence, flowId: 'c' }).rollBack(new Error('the server restarted')));
    expect(j).toEqual(['revert a success']);
  });
});

describe('engine: flows and modes', () => {
  it('parallel mode never runs more than max_workers atoms at once', async () => {
    let running = 0;
    let peak = 0;
    const sleepy = (name: string) =>
      defineTask({
        name,
        execute: async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 20));
          running--;
        },
      });
    await runFlow(unorderedFlow('u', {}, ...['a', 'b', 'c', 'd', 'e', 'f'].map(sleepy)), { mode: 'parallel', maxWorkers: 2 });
    expect(peak).toBe(2);
    peak = 0;
    await runFlow(unorderedFlow('u', {}, ...['a', 'b', 'c', 'd'].map(sleepy)), { mode: 'parallel', maxWorkers: 10 });
    expect(peak).toBe(4);
    peak = 0;
    await runFlow(unorderedFlow('u', {}, ...['a', 'b', 'c'].map(sleepy)), { mode: 'serial', maxWorkers: 10 });
    expect(peak).toBe(1);
  });

  it('a graph flow orders tasks by requires/provides, whatever order they were added in', async () => {
    const j: Journal = [];
    const flow = graphFlow(
      'g',
      {},
      step(j, 'store', { requires: ['converted'] }),
      step(j, 'convert', { requires: ['raw'], provides: 'converted' }),
      step(j, 'download', { provides: 'raw' }),
    );
    await runFlow(flow, { mode: 'parallel' });
    expect(j.map((l) => l.split(' ')[1])).toEqual(['download', 'convert', 'store']);
  });

  it('flows nest: a linear flow inside a graph inside a linear flow', async () => {
    const j: Journal = [];
    const inner = linearFlow('inner', {}, step(j, 'i1', { provides: 'p' }), step(j, 'i2', { requires: ['p'], provides: 'q' }));
    const flow = linearFlow('outer', {}, step(j, 'first'), graphFlow('g', {}, step(j, 'last', { requires: ['q'] }), inner));
    await runFlow(flow, { mode: 'serial' });
    expect(j.map((l) => l.split(' ')[1])).toEqual(['first', 'i1', 'i2', 'last']);
  });

  it('in parallel mode a failure lets running siblings finish, then reverts everything that ran', async () => {
    const j: Journal = [];
    const slow = defineTask({
      name: 'slow',
      execute: async () => {
        await new Promise((r) => setTimeout(r, 30));
        j.push('slow done');
      },
      revert: () => {
        j.push('revert slow');
      },
    });
    const flow = linearFlow('f', {}, step(j, 'a'), unorderedFlow('u', {}, slow, step(j, 'bad', { fail: true })), step(j, 'never'));
    const err = await failure(runFlow(flow, { mode: 'parallel', maxWorkers: 4 }));
    expect(j).toContain('slow done');
    expect(j).not.toContain('execute never');
    expect(j.slice(-3)).toEqual(['revert bad failure', 'revert slow', 'revert a success']);
    expect(err.reverted).toBe(true);
  });
});

describe('engine: build-time errors', () => {
  it('a cycle in a graph flow is an error when the engine is built', () => {
    const j: Journal = [];
    const flow = graphFlow('g', {}, step(j, 'a', { requires: ['y'], provides: 'x' }), step(j, 'b', { requires: ['x'], provides: 'y' }));
    expect(() => new Engine(flow)).toThrow(expect.objectContaining({ code: 'GI_FLOW_CYCLE' }));
    expect(j).toEqual([]);
  });

  it('an input nobody provides is an error when the engine is built, not when the task runs', () => {
    const j: Journal = [];
    const flow = linearFlow('f', {}, step(j, 'a'), step(j, 'b', { requires: ['file_path'] }));
    expect(() => new Engine(flow)).toThrow(
      expect.objectContaining({ code: 'GI_FLOW_MISSING_INPUT', message: expect.stringContaining("'b' requires 'file_path'") }),
    );
    expect(() => new Engine(flow, { inputs: { file_path: '/x' } })).not.toThrow();
  });

  it('a provider ordered after its consumer does not count', () => {
    const j: Journal = [];
    const flow = linearFlow('f', {}, step(j, 'use', { requires: ['v'] }), step(j, 'make', { provides: 'v' }));
    expect(() => new Engine(flow)).toThrow(expect.objectContaining({ code: 'GI_FLOW_MISSING_INPUT', message: expect.stringContaining('not ordered before') }));
  });

  it('siblings of an unordered flow cannot feed each other', () => {
    const j: Journal = [];
    const flow = unorderedFlow('u', {}, step(j, 'make', { provides: 'v' }), step(j, 'use', { requires: ['v'] }));
    expect(() => new Engine(flow)).toThrow(expect.objectContaining({ code: 'GI_FLOW_MISSING_INPUT' }));
  });

  it('two atoms with one name are refused', () => {
    const j: Journal = [];
    expect(() => new Engine(linearFlow('f', {}, step(j, 'a'), step(j, 'a')))).toThrow(expect.objectContaining({ code: 'GI_FLOW_DUPLICATE_ATOM' }));
  });

  it('something that is not a flow, or a flow holding something that is not a task, is GI_FLOW_INVALID when the engine is built', () => {
    const j: Journal = [];
    expect(() => new Engine({ name: 'x' } as never)).toThrow(
      expect.objectContaining({
        code: 'GI_FLOW_INVALID',
        message: "Flow 'x' is not valid: the engine was given an object of kind undefined, not a flow (linearFlow, unorderedFlow or graphFlow).",
      }),
    );
    const flow = linearFlow('f', {}, step(j, 'a'), undefined as never);
    expect(() => new Engine(flow)).toThrow(
      expect.objectContaining({
        code: 'GI_FLOW_INVALID',
        message: "Flow 'f' is not valid: item 2 is undefined, neither a task (defineTask) nor a flow.",
      }),
    );
    expect(j).toEqual([]);
  });

  it('a task providing several names must return each', async () => {
    const t = defineTask({ name: 'multi', provides: ['a', 'b'], execute: () => ({ a: 1 }) });
    const err = await failure(runFlow(linearFlow('f', {}, t)));
    expect(isGlanceImportError(err.cause, 'GI_FLOW_RESULT_SHAPE')).toBe(true);
  });
});

describe('engine: retry controllers', () => {
  it('times(n) reverts and re-runs its subflow until it succeeds', async () => {
    const j: Journal = [];
    let calls = 0;
    const flaky = defineTask({
      name: 'flaky',
      execute: (_i, ctx) => {
        calls++;
        j.push(`flaky attempt ${ctx.attempt}`);
        if (calls < 3) throw new Error('transient');
      },
      revert: () => {
        j.push('revert flaky');
      },
    });
    const flow = linearFlow('f', {}, step(j, 'outer'), linearFlow('retrying', { retry: times(3) }, step(j, 'prep'), flaky));
    await runFlow(flow, { mode: 'serial' });
    expect(j).toEqual([
      'execute outer',
      'execute prep',
      'flaky attempt 1',
      'revert flaky',
      'revert prep success',
      'execute prep',
      'flaky attempt 2',
      'revert flaky',
      'revert prep success',
      'execute prep',
      'flaky attempt 3',
    ]);
  });

  it('times(n) gives up after n attempts and the failure reverts the enclosing flow', async () => {
    const j: Journal = [];
    const flow = linearFlow('f', {}, step(j, 'outer'), linearFlow('retrying', { retry: times(2) }, step(j, 'bad', { fail: true })));
    const err = await failure(runFlow(flow, { mode: 'serial' }));
    expect(j).toEqual(['execute outer', 'execute bad', 'revert bad failure', 'execute bad', 'revert bad failure', 'revert outer success']);
    expect(err.code).toBe('GI_FLOW_FAILED');
  });

  it('the default controller (always revert) never retries', async () => {
    const j: Journal = [];
    await failure(runFlow(linearFlow('f', {}, step(j, 'bad', { fail: true })), { mode: 'serial' }));
    expect(j).toEqual(['execute bad', 'revert bad failure']);
  });
});

describe('engine: cancellation', () => {
  it('an abort reaches the running task, stops the flow and reverts what ran', async () => {
    const j: Journal = [];
    const ac = new AbortController();
    const waiting = defineTask({
      name: 'waiting',
      execute: (_i, ctx) =>
        new Promise((_resolve, reject) => {
          j.push('waiting started');
          ctx.signal.addEventListener('abort', () => {
            j.push('saw abort');
            reject(new Error('aborted'));
          });
          setTimeout(() => ac.abort(new Error('image deleted')), 5);
        }),
      revert: () => {
        j.push('revert waiting');
      },
    });
    const err = await failure(runFlow(linearFlow('f', {}, step(j, 'a'), waiting, step(j, 'never')), { signal: ac.signal }));
    expect(j).toEqual(['execute a', 'waiting started', 'saw abort', 'revert waiting', 'revert a success']);
    expect(err.code).toBe('GI_FLOW_CANCELLED');
    expect(err.message).toContain('image deleted');
  });

  it('an already aborted signal runs nothing', async () => {
    const j: Journal = [];
    const err = await failure(runFlow(linearFlow('f', {}, step(j, 'a')), { signal: AbortSignal.abort() }));
    expect(j).toEqual([]);
    expect(err.code).toBe('GI_FLOW_CANCELLED');
  });
});
