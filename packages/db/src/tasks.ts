import { giError } from './errors.js';
import type { SqlDriver, SqlValue } from './sql/driver.js';
import { keyset } from './keyset.js';
import { json, now, placeholders, toSql } from './rows.js';
import type { NewTask, TaskChanges, TaskProgress, TaskQuery, TaskRecord, TaskStatus } from './types.js';

const COLUMNS = [
  'id',
  'type',
  'status',
  'owner',
  'image_id',
  'request_id',
  'user_id',
  'input',
  'result',
  'message',
  'progress',
  'created_at',
  'updated_at',
  'expires_at',
  'node',
] as const;
/** Glance sorts tasks by any column of its tasks table. */
export const TASK_SORT_KEYS = [
  'id',
  'type',
  'status',
  'owner',
  'expires_at',
  'created_at',
  'updated_at',
  'deleted_at',
  'deleted',
  'image_id',
  'request_id',
  'user_id',
] as const;
const NULLABLE = new Set(['expires_at', 'deleted_at', 'image_id', 'request_id', 'user_id']);
/** A NULL sorts and compares as '', as Glance's `_paginate_query` compares the marker. */
const sortExpr = (key: string) => (NULLABLE.has(key) ? `COALESCE(${key}, '')` : key);

function toTask(r: Record<string, unknown>): TaskRecord {
  return {
    id: String(r.id),
    type: String(r.type),
    status: r.status as TaskStatus,
    owner: String(r.owner),
    image_id: (r.image_id as string | null) ?? null,
    request_id: (r.request_id as string | null) ?? null,
    user_id: (r.user_id as string | null) ?? null,
    input: json(r.input),
    result: json(r.result),
    message: String(r.message ?? ''),
    progress: json(r.progress) as TaskProgress | null,
    created_at: String(r.created_at),
    updated_at: String(r.updated_at),
    expires_at: (r.expires_at as string | null) ?? null,
    node: (r.node as string | null) ?? null,
  };
}

export class TaskRepository {
  constructor(private readonly db: SqlDriver) {}

  async create(task: NewTask): Promise<TaskRecord> {
    const ts = now();
    const rec: TaskRecord = {
      ...task,
      node: task.node ?? null,
      status: 'pending',
      result: null,
      message: '',
      progress: null,
      created_at: ts,
      updated_at: ts,
      expires_at: null,
    };
    await this.db.execute(
      `INSERT INTO tasks (${COLUMNS.join(', ')}) VALUES (${placeholders(COLUMNS.length)})`,
      COLUMNS.map((c) => (c === 'input' || c === 'result' || c === 'progress' ? (rec[c] === null ? null : JSON.stringify(rec[c])) : toSql(rec[c]))),
    );
    return rec;
  }

  async get(id: string): Promise<TaskRecord | undefined> {
    const r = (await this.db.query(`SELECT ${COLUMNS.join(', ')} FROM tasks WHERE id = ? AND deleted = 0`, [id]))[0];
    return r ? toTask(r) : undefined;
  }

  /**
   * One page, by keyset after the marker, ordered as Glance orders tasks: the sort key, then
   * created_at and id, all in the one direction.
   */
  async list(q: TaskQuery): Promise<TaskRecord[]> {
    if (!(TASK_SORT_KEYS as readonly string[]).includes(q.sort.key)) throw new TypeError(`not a task sort key: ${q.sort.key}`);
    const where: string[] = ['deleted = 0'];
    const params: SqlValue[] = [];
    if (q.owner !== undefined) {
      where.push('owner = ?');
      params.push(q.owner);
    }
    if (q.status) {
      where.push('status = ?');
      params.push(q.status);
    }
    if (q.type) {
      where.push('type = ?');
      params.push(q.type);
    }
    if (q.node !== undefined) {
      where.push(q.node === null ? 'node IS NULL' : 'node = ?');
      if (q.node !== null) params.push(q.node);
    }
    const keys = [...new Set([q.sort.key, 'created_at', 'id'])];
    const terms = keys.map((k) => ({ expr: sortExpr(k), dir: q.sort.dir }));
    let marker: SqlValue[] | undefined;
    if (q.marker) {
      const row = (
        await this.db.query<Record<string, SqlValue>>(
          `SELECT ${terms.map((t, i) => `${t.expr} AS k${i}`).join(', ')}, owner FROM tasks WHERE id = ? AND deleted = 0`,
          [q.marker],
        )
      )[0];
      if (!row) throw giError('GI_DB_MARKER_NOT_FOUND', { kind: 'task', marker: q.marker });
      if (q.owner !== undefined && row.owner !== q.owner) throw giError('GI_DB_MARKER_FORBIDDEN', { kind: 'task', marker: q.marker });
      marker = terms.map((_t, i) => row[`k${i}`]!);
    }
    const page = keyset(terms, marker);
    if (page.after) {
      where.push(page.after.sql);
      params.push(...page.after.params);
    }
    const rows = await this.db.query(`SELECT ${COLUMNS.join(', ')} FROM tasks WHERE ${where.join(' AND ')} ORDER BY ${page.orderBy} LIMIT ?`, [
      ...params,
      q.limit,
    ]);
    return rows.map(toTask);
  }

  async listForImage(imageId: string): Promise<TaskRecord[]> {
    return (await this.db.query(`SELECT ${COLUMNS.join(', ')} FROM tasks WHERE image_id = ? AND deleted = 0 ORDER BY created_at DESC, id DESC`, [imageId])).map(
      toTask,
    );
  }

  /** Apply changes (and bump updated_at, which keeps an import lock fresh); `fromStatus` makes it conditional. */
  async update(id: string, changes: TaskChanges, opts: { fromStatus?: readonly TaskStatus[] } = {}): Promise<TaskRecord> {
    const entries = Object.entries(changes);
    const sets = [...entries.map(([k]) => `${k} = ?`), 'updated_at = ?'];
    const params: SqlValue[] = [
      ...entries.map(([k, v]) => (k === 'result' || k === 'progress' ? (v === null ? null : JSON.stringify(v)) : toSql(v))),
      now(),
      id,
    ];
    let cond = 'id = ? AND deleted = 0';
    if (opts.fromStatus) {
      cond += ` AND status IN (${placeholders(opts.fromStatus.length)})`;
      params.push(...opts.fromStatus);
    }
    if ((await this.db.execute(`UPDATE tasks SET ${sets.join(', ')} WHERE ${cond}`, params)) === 0) {
      const cur = await this.get(id);
      if (!cur) throw giError('GI_DB_NOT_FOUND', { kind: 'task', id });
      throw giError('GI_DB_CONFLICT', { kind: 'task', id, reason: `status is ${cur.status}, expected ${opts.fromStatus!.join(' or ')}` });
    }
    return (await this.get(id))!;
  }

  /**
   * Finished tasks (success or failure) of `node`, or recorded with none, that a live image's
   * `property` still names: a process that stopped between finishing a task and clearing the
   * image's reference to it leaves these.
   */
  async finishedButNamed(property: string, node: string): Promise<Array<{ imageId: string; task: TaskRecord }>> {
    const rows = await this.db.query<Record<string, unknown>>(
      `SELECT p.image_id AS held_by_image, ${COLUMNS.map((c) => `t.${c}`).join(', ')}
       FROM image_properties p JOIN images i ON i.id = p.image_id JOIN tasks t ON t.id = p.value
       WHERE p.name = ? AND i.deleted = 0 AND t.deleted = 0 AND t.status IN ('success', 'failure') AND (t.node = ? OR t.node IS NULL)
       ORDER BY t.created_at, t.id`,
      [property, node],
    );
    return rows.map((r) => ({ imageId: String(r.held_by_image), task: toTask(r) }));
  }

  /** Soft-delete one task: a record that should never have been seen (an import that lost the lock race). */
  async discard(id: string): Promise<void> {
    const ts = now();
    await this.db.execute('UPDATE tasks SET deleted = 1, deleted_at = ?, updated_at = ? WHERE id = ?', [ts, ts, id]);
  }

  /** Soft-delete tasks whose expires_at has passed (Glance deletes them lazily on list/get). */
  async purgeExpired(at = new Date()): Promise<number> {
    return this.db.execute('UPDATE tasks SET deleted = 1, deleted_at = ? WHERE deleted = 0 AND expires_at IS NOT NULL AND expires_at < ?', [
      at.toISOString(),
      at.toISOString(),
    ]);
  }
}
