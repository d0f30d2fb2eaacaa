import type { RetryController } from './retry.js';
import type { Task } from './task.js';

export type FlowPattern = 'linear' | 'unordered' | 'graph';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FlowItem = Task<any, any> | Flow;

/**
 * A composition of tasks and nested flows (taskflow's patterns):
 * - linear: items run one after another, in the order added;
 * - unordered: items have no order among themselves and may run concurrently;
 * - graph: items are ordered by data: an item runs after every item that provides what it requires.
 */
export interface Flow {
  readonly kind: 'flow';
  readonly pattern: FlowPattern;
  readonly name: string;
  readonly items: readonly FlowItem[];
  readonly retry: RetryController | undefined;
  /** Append items; returns the same flow so calls chain. */
  add(...items: FlowItem[]): Flow;
}

export interface FlowOptions {
  retry?: RetryController;
}

function makeFlow(pattern: FlowPattern, name: string, options: FlowOptions = {}, items: FlowItem[] = []): Flow {
  if (!name) throw new TypeError(`a ${pattern} flow needs a name`);
  const list: FlowItem[] = [...items];
  const flow: Flow = {
    kind: 'flow',
    pattern,
    name,
    items: list,
    retry: options.retry,
    add(...more) {
      for (const item of more) {
        if (!item || (item.kind !== 'task' && item.kind !== 'flow')) throw new TypeError(`flow '${name}': only tasks and flows can be added`);
        list.push(item);
      }
      return flow;
    },
  };
  return flow;
}

export const linearFlow = (name: string, options?: FlowOptions, ...items: FlowItem[]) => makeFlow('linear', name, options, items);
export const unorderedFlow = (name: string, options?: FlowOptions, ...items: FlowItem[]) => makeFlow('unordered', name, options, items);
export const graphFlow = (name: string, options?: FlowOptions, ...items: FlowItem[]) => makeFlow('graph', name, options, items);

export function isFlow(x: unknown): x is Flow {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'flow' && Array.isArray((x as Flow).items);
}
