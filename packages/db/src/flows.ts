import type { AtomRecord, FlowPersistence, FlowRecord } from '@glance-import/core';
import type { SqlDriver } from './sql/driver.js';
import { json } from './rows.js';

/** The core engine's persistence port on the database: one row per flow and per atom, upserted. */
export class SqlFlowPersistence implements FlowPersistence {
  constructor(private readonly db: SqlDriver) {}

  async saveFlow(r: FlowRecord): Promise<void> {
    await this.db.execute(
      'INSERT INTO flow_details (flow_id, name, state, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (flow_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
      [r.flowId, r.name, r.state, r.updatedAt],
    );
  }

  async saveAtom(r: AtomRecord): Promise<void> {
    await this.db.execute(
      `INSERT INTO atom_details (flow_id, atom, state, attempt, result, error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (flow_id, atom) DO UPDATE SET state = excluded.state, attempt = excluded.attempt,
         result = CASE WHEN excluded.result IS NULL THEN atom_details.result ELSE excluded.result END, error = CASE WHEN excluded.error IS NULL THEN atom_details.error ELSE excluded.error END, updated_at = excluded.updated_at`,
      [r.flowId, r.atom, r.state, r.attempt, r.result === undefined ? null : JSON.stringify(r.result), r.error ? JSON.stringify(r.error) : null, r.updatedAt],
    );
  }

  async loadFlow(flowId: string): Promise<FlowRecord | undefined> {
    const r = (await this.db.query<Record<string, string>>('SELECT flow_id, name, state, updated_at FROM flow_details WHERE flow_id = ?', [flowId]))[0];
    return r ? { flowId: r.flow_id!, name: r.name!, state: r.state as FlowRecord['state'], updatedAt: r.updated_at! } : undefined;
  }

  async loadAtoms(flowId: string): Promise<AtomRecord[]> {
    const rows = await this.db.query<Record<string, unknown>>('SELECT atom, state, attempt, result, error, updated_at FROM atom_details WHERE flow_id = ?', [
      flowId,
    ]);
    return rows.map((r) => ({
      flowId,
      atom: String(r.atom),
      state: r.state as AtomRecord['state'],
      attempt: Number(r.attempt),
      ...(r.result !== null ? { result: json(r.result) } : {}),
      ...(r.error !== null ? { error: json(r.error) as AtomRecord['error'] } : {}),
      updatedAt: String(r.updated_at),
    }));
  }
}
