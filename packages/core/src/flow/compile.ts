import { giError } from '../errors.js';
import { isFlow, type Flow, type FlowItem } from './flows.js';
import type { Task } from './task.js';

/** Where an atom's input comes from: an engine input, or the result of an earlier atom. */
export type Binding = { readonly from: 'store' } | { readonly from: 'atom'; readonly atom: number; readonly key: string };

export interface CompiledAtom {
  readonly index: number;
  readonly name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly task: Task<any, any>;
  /** Atoms that must succeed before this one starts. */
  readonly preds: ReadonlySet<number>;
  readonly bindings: ReadonlyMap<string, Binding>;
  /** Enclosing flows, outermost first. */
  readonly scopes: readonly Flow[];
  /** Position in a topological order (serial mode runs atoms in this order). */
  readonly order: number;
}

export interface CompiledFlow {
  readonly root: Flow;
  readonly atoms: readonly CompiledAtom[];
  readonly byName: ReadonlyMap<string, CompiledAtom>;
}

interface Part {
  atoms: number[];
  entries: number[];
  exits: number[];
  requires: Set<string>;
  provides: Set<string>;
}

interface Draft {
  name: string;
  task: Task;
  preds: Set<number>;
  scopes: Flow[];
}

/**
 * Turn a (nested) flow into a DAG of atoms and bind every input, so that a cycle or an input nobody
 * provides is reported when the engine is built, not halfway through a run.
 */
export function compileFlow(root: Flow, storeNames: Iterable<string> = []): CompiledFlow {
  const drafts: Draft[] = [];
  const names = new Set<string>();

  const edge = (from: number[], to: number[]) => {
    for (const t of to) for (const f of from) if (f !== t) drafts[t]!.preds.add(f);
  };

  const walk = (item: FlowItem, scopes: Flow[]): Part => {
    // Flows are plain objects, so plain JS callers can hand in anything; say so before it breaks mid-run.
    const isTask = (item as { kind?: unknown } | null)?.kind === 'task' && typeof (item as Task).execute === 'function';
    if (!isTask && !isFlow(item)) {
      const parent = scopes.at(-1);
      throw giError(
        'GI_FLOW_INVALID',
        parent
          ? { flow: parent.name, reason: `item ${parent.items.indexOf(item) + 1} is ${shown(item)}, neither a task (defineTask) nor a flow` }
          : {
              flow: String((item as { name?: unknown } | null)?.name ?? '(unnamed)'),
              reason: `the engine was given ${shown(item)}, not a flow (linearFlow, unorderedFlow or graphFlow)`,
            },
      );
    }
    if (item.kind === 'task') {
      if (names.has(item.name)) throw giError('GI_FLOW_DUPLICATE_ATOM', { name: item.name });
      names.add(item.name);
      const index = drafts.push({ name: item.name, task: item, preds: new Set(), scopes }) - 1;
      return { atoms: [index], entries: [index], exits: [index], requires: new Set(item.requires), provides: new Set(item.provides) };
    }
    const inner = [...scopes, item];
    const parts = item.items.map((child) => walk(child, inner));
    const all: Part = { atoms: [], entries: [], exits: [], requires: new Set(), provides: new Set() };
    for (const p of parts) {
      all.atoms.push(...p.atoms);
      p.requires.forEach((r) => all.requires.add(r));
      p.provides.forEach((r) => all.provides.add(r));
    }
    const nonEmpty = parts.filter((p) => p.atoms.length > 0);
    if (item.pattern === 'linear') {
      for (let i = 1; i < nonEmpty.length; i++) edge(nonEmpty[i - 1]!.exits, nonEmpty[i]!.entries);
      all.entries = nonEmpty[0]?.entries ?? [];
      all.exits = nonEmpty.at(-1)?.exits ?? [];
    } else if (item.pattern === 'unordered') {
      for (const p of nonEmpty) {
        all.entries.push(...p.entries);
        all.exits.push(...p.exits);
      }
    } else {
      const succ = nonEmpty.map(() => new Set<number>());
      const hasPred = nonEmpty.map(() => false);
      nonEmpty.forEach((x, xi) =>
        nonEmpty.forEach((y, yi) => {
          if (xi !== yi && [...x.requires].some((r) => y.provides.has(r))) {
            succ[yi]!.add(xi);
            hasPred[xi] = true;
          }
        }),
      );
      const cycle = findCycle(succ);
      if (cycle) throw giError('GI_FLOW_CYCLE', { flow: item.name, cycle: cycle.map((i) => partName(item.items, nonEmpty[i]!, drafts)) });
      succ.forEach((targets, yi) => targets.forEach((xi) => edge(nonEmpty[yi]!.exits, nonEmpty[xi]!.entries)));
      nonEmpty.forEach((p, i) => {
        if (!hasPred[i]) all.entries.push(...p.entries);
        if (succ[i]!.size === 0) all.exits.push(...p.exits);
      });
    }
    return all;
  };

  walk(root, []);
  const order = topoOrder(drafts.map((d) => d.preds));
  const ancestors = ancestorSets(
    drafts.map((d) => d.preds),
    order,
  );
  const store = new Set(storeNames);

  const atoms: CompiledAtom[] = drafts.map((d, index) => {
    const bindings = new Map<string, Binding>();
    for (const req of d.task.requires) {
      const providers = [...ancestors[index]!].filter((a) => drafts[a]!.task.provides.includes(req));
      if (providers.length === 0) {
        if (store.has(req)) {
          bindings.set(req, { from: 'store' });
          continue;
        }
        const elsewhere = drafts.find((o, oi) => oi !== index && o.task.provides.includes(req));
        throw giError('GI_FLOW_MISSING_INPUT', {
          atom: d.name,
          input: req,
          ...(elsewhere ? { detail: `'${elsewhere.name}' provides it but is not ordered before it` } : {}),
        });
      }
      // The most recent provider wins: the one every other provider is an ancestor of, else the latest in order.
      const latest =
        providers.find((p) => providers.every((q) => q === p || ancestors[p]!.has(q))) ?? providers.sort((a, b) => order.indexOf(a) - order.indexOf(b)).at(-1)!;
      bindings.set(req, { from: 'atom', atom: latest, key: req });
    }
    return { index, name: d.name, task: d.task, preds: d.preds, bindings, scopes: d.scopes, order: order.indexOf(index) };
  });
  return { root, atoms, byName: new Map(atoms.map((a) => [a.name, a])) };
}

function shown(x: unknown): string {
  if (typeof x === 'object' && x !== null) return `an object of kind ${JSON.stringify((x as { kind?: unknown }).kind) ?? 'undefined'}`;
  return typeof x === 'function' ? 'a function' : String(x);
}

function partName(items: readonly FlowItem[], part: Part, drafts: Draft[]): string {
  const first = drafts[part.atoms[0]!]!;
  const owner = items.find((it) => (it.kind === 'task' ? it === first.task : first.scopes.includes(it)));
  return owner?.name ?? first.name;
}

function findCycle(succ: Set<number>[]): number[] | undefined {
  const color = succ.map(() => 0);
  const stack: number[] = [];
  const visit = (n: number): number[] | undefined => {
    color[n] = 1;
    stack.push(n);
    for (const m of succ[n]!) {
      if (color[m] === 1) return [...stack.slice(stack.indexOf(m)), m];
      if (color[m] === 0) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    color[n] = 2;
    return undefined;
  };
  for (let i = 0; i < succ.length; i++)
    if (color[i] === 0) {
      const c = visit(i);
      if (c) return c;
    }
  return undefined;
}

/** Kahn's algorithm, ties broken by declaration order so serial runs follow the order written. */
function topoOrder(preds: ReadonlySet<number>[]): number[] {
  const remaining = preds.map((p) => p.size);
  const succ = preds.map(() => [] as number[]);
  preds.forEach((p, i) => p.forEach((q) => succ[q]!.push(i)));
  const ready = remaining.flatMap((n, i) => (n === 0 ? [i] : []));
  const out: number[] = [];
  while (ready.length) {
    ready.sort((a, b) => a - b);
    const n = ready.shift()!;
    out.push(n);
    for (const m of succ[n]!) if (--remaining[m]! === 0) ready.push(m);
  }
  return out;
}

function ancestorSets(preds: ReadonlySet<number>[], order: number[]): Set<number>[] {
  const anc = preds.map(() => new Set<number>());
  for (const n of order)
    for (const p of preds[n]!) {
      anc[n]!.add(p);
      anc[p]!.forEach((a) => anc[n]!.add(a));
    }
  return anc;
}
