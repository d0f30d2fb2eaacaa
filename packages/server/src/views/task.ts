import type { TaskRecord } from '@glance-import/db';
import { isoSeconds } from './time.js';

/** GET /v2/tasks/{id}: the full view (beyond Glance: `progress`). */
export function taskView(t: TaskRecord): Record<string, unknown> {
  return {
    id: t.id, type: t.type, status: t.status, input: t.input, result: t.result, owner: t.owner, message: t.message,
    ...(t.expires_at ? { expires_at: isoSeconds(t.expires_at) } : {}),
    created_at: isoSeconds(t.created_at), updated_at: isoSeconds(t.updated_at),
    self: `/v2/tasks/${t.id}`, schema: '/v2/schemas/task',
    ...(t.image_id ? { image_id: t.image_id } : {}), ...(t.request_id ? { request_id: t.request_id } : {}), ...(t.user_id ? { user_id: t.user_id } : {}),
    progress: t.progress,
  };
}

/** GET /v2/tasks: stubs without input, result and message. */
export function taskStub(t: TaskRecord): Record<string, unknown> {
  return {
    id: t.id, type: t.type, status: t.status, owner: t.owner,
    ...(t.expires_at ? { expires_at: isoSeconds(t.expires_at) } : {}),
    created_at: isoSeconds(t.created_at), updated_at: isoSeconds(t.updated_at), self: `/v2/tasks/${t.id}`, schema: '/v2/schemas/task',
  };
}

/** GET /v2/images/{id}/tasks: Glance answers raw rows (naive timestamps, deleted flags). */
export function imageTaskRow(t: TaskRecord): Record<string, unknown> {
  // Python's naive isoformat(): no zone, microseconds (we keep milliseconds, padded).
  const naive = (s: string | null) => (s ? s.replace(/Z$/, '').replace(/\.(\d{1,6})\d*$/, (_m, f: string) => `.${f.padEnd(6, '0')}`) : null);
  return {
    id: t.id, type: t.type, status: t.status, owner: t.owner, expires_at: naive(t.expires_at), created_at: naive(t.created_at),
    updated_at: naive(t.updated_at), deleted_at: null, deleted: false, image_id: t.image_id, request_id: t.request_id, user_id: t.user_id,
    input: t.input, result: t.result, message: t.message, progress: t.progress,
  };
}
