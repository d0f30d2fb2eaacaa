import type { TaskRecord } from '@glance-import/db';
import { isoSeconds } from './time.js';

/**
 * A task as Glance shows it, with ours beside it. The import service stores more than Glance in the
 * task's input (the image's pre-import snapshot, for reverting) and result (the inspector's records,
 * why it failed): `input` shows Glance's image_id, import_req and backend only; `result` is Glance's
 * `{image_id}` on success and null otherwise; ours are top-level keys of their own, declared in the
 * task schema (`inspections`, `error_code`, `error_hint`, `error_plugin`, as `progress`).
 */
function glanceShape(t: TaskRecord): { input: unknown; result: unknown; ours: Record<string, unknown> } {
  const stored = (t.result ?? {}) as { image_id?: string; inspections?: unknown[]; error_code?: string; hint?: string; plugin?: string };
  let input = t.input;
  if (t.type === 'api_image_import' && input && typeof input === 'object') {
    const { image_id, import_req, backend } = input as Record<string, unknown>;
    input = { image_id, import_req, backend };
  }
  return {
    input,
    result: t.status === 'success' && stored.image_id ? { image_id: stored.image_id } : null,
    ours: {
      progress: t.progress,
      inspections: stored.inspections ?? null,
      error_code: stored.error_code ?? null,
      error_hint: stored.hint ?? null,
      error_plugin: stored.plugin ?? null,
    },
  };
}

/** GET /v2/tasks/{id}: the full view. */
export function taskView(t: TaskRecord): Record<string, unknown> {
  const { input, result, ours } = glanceShape(t);
  return {
    id: t.id,
    type: t.type,
    status: t.status,
    input,
    result,
    owner: t.owner,
    message: t.message,
    ...(t.expires_at ? { expires_at: isoSeconds(t.expires_at) } : {}),
    created_at: isoSeconds(t.created_at),
    updated_at: isoSeconds(t.updated_at),
    self: `/v2/tasks/${t.id}`,
    schema: '/v2/schemas/task',
    ...(t.image_id ? { image_id: t.image_id } : {}),
    ...(t.request_id ? { request_id: t.request_id } : {}),
    ...(t.user_id ? { user_id: t.user_id } : {}),
    ...ours,
  };
}

/** GET /v2/tasks: stubs without input, result and message. */
export function taskStub(t: TaskRecord): Record<string, unknown> {
  return {
    id: t.id,
    type: t.type,
    status: t.status,
    owner: t.owner,
    ...(t.expires_at ? { expires_at: isoSeconds(t.expires_at) } : {}),
    created_at: isoSeconds(t.created_at),
    updated_at: isoSeconds(t.updated_at),
    self: `/v2/tasks/${t.id}`,
    schema: '/v2/schemas/task',
  };
}

/** GET /v2/images/{id}/tasks: Glance answers raw rows (naive timestamps, deleted flags); ours beside them as in taskView. */
export function imageTaskRow(t: TaskRecord): Record<string, unknown> {
  // Python's naive isoformat(): no zone, microseconds (we keep milliseconds, padded).
  const naive = (s: string | null) => (s ? s.replace(/Z$/, '').replace(/\.(\d{1,6})\d*$/, (_m, f: string) => `.${f.padEnd(6, '0')}`) : null);
  const { input, result, ours } = glanceShape(t);
  return {
    id: t.id,
    type: t.type,
    status: t.status,
    owner: t.owner,
    expires_at: naive(t.expires_at),
    created_at: naive(t.created_at),
    updated_at: naive(t.updated_at),
    deleted_at: null,
    deleted: false,
    image_id: t.image_id,
    request_id: t.request_id,
    user_id: t.user_id,
    input,
    result,
    message: t.message,
    ...ours,
  };
}
