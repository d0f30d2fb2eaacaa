/**
 * The engine's persistence port: every atom state change (and its result or error) is written here
 * before it is announced, so a later run can resume a flow after a crash. The port speaks plain
 * JSON-able records; a database adapter stores them as rows without the engine knowing.
 */

export const ATOM_STATES = ['PENDING', 'RUNNING', 'SUCCESS', 'FAILURE', 'REVERTING', 'REVERTED', 'REVERT_FAILURE'] as const;
export type AtomState = (typeof ATOM_STATES)[number];

export const FLOW_STATES = ['PENDING', 'RUNNING', 'SUCCESS', 'REVERTING', 'REVERTED', 'FAILURE'] as const;
export type FlowState = (typeof FLOW_STATES)[number];

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export interface AtomRecord {
  flowId: string;
  atom: string;
  state: AtomState;
  attempt: number;
  /** Present once the atom succeeded; must be JSON-serialisable for durable adapters. */
  result?: unknown;
  error?: SerializedError;
  updatedAt: string;
}

export interface FlowRecord {
  flowId: string;
  name: string;
  state: FlowState;
  updatedAt: string;
}

/**
 * An atom's latest record: a write without `result` or `error` keeps the ones recorded before, so
 * a reverted atom still shows what it produced and why the flow failed.
 */
export interface FlowPersistence {
  saveFlow(record: FlowRecord): Promise<void>;
  saveAtom(record: AtomRecord): Promise<void>;
  loadFlow(flowId: string): Promise<FlowRecord | undefined>;
  loadAtoms(flowId: string): Promise<AtomRecord[]>;
}

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}), ...(e.stack ? { stack: e.stack } : {}) };
  }
  return { name: 'Error', message: typeof e === 'string' ? e : JSON.stringify(e) };
}

/** Keeps records in memory (tests, single-process use); records are copied so callers cannot mutate them. */
export class MemoryPersistence implements FlowPersistence {
  private readonly flows = new Map<string, FlowRecord>();
  private readonly atoms = new Map<string, Map<string, AtomRecord>>();
  /** Every atom write in order, for tests that assert the write-through. */
  readonly journal: AtomRecord[] = [];

  async saveFlow(record: FlowRecord): Promise<void> {
    this.flows.set(record.flowId, { ...record });
  }

  async saveAtom(record: AtomRecord): Promise<void> {
    let m = this.atoms.get(record.flowId);
    if (!m) this.atoms.set(record.flowId, (m = new Map()));
    const prev = m.get(record.atom);
    m.set(record.atom, { ...(prev?.result !== undefined ? { result: prev.result } : {}), ...(prev?.error ? { error: prev.error } : {}), ...record });
    this.journal.push({ ...record });
  }

  async loadFlow(flowId: string): Promise<FlowRecord | undefined> {
    const r = this.flows.get(flowId);
    return r && { ...r };
  }

  async loadAtoms(flowId: string): Promise<AtomRecord[]> {
    return [...(this.atoms.get(flowId)?.values() ?? [])].map((r) => ({ ...r }));
  }
}
