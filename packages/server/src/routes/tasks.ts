import { randomUUID } from 'node:crypto';
import { TASK_SORT_KEYS, TASK_STATUSES, type Database, type TaskStatus } from '@glance-import/db';
import { giError } from '../errors.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../http/errors.js';
import { assertNoBody, callerOf, credentials } from '../http/guards.js';
import { pageLink } from '../http/links.js';
import { pythonInt } from '../images/filter-syntax.js';
import type { PolicyEnforcer } from '@glance-import/policy';
import { taskStub, taskView } from '../views/task.js';
import { UUID_RE } from '../images/attributes.js';
import type { ServerConfig } from '../options.js';

type Params = { id: string };

export interface TaskRouteDeps {
  config: ServerConfig;
  db: Database;
  policy: PolicyEnforcer;
}

/** The deprecated Tasks API: every call first needs `tasks_api_access` (admin by default). */
export function taskRoutes(app: FastifyInstance, d: TaskRouteDeps): void {
  const access = (request: FastifyRequest) => d.policy.enforce('tasks_api_access', {}, credentials(callerOf(request)));

  app.get('/v2/tasks', async (request) => {
    access(request);
    await d.db.tasks.purgeExpired();
    const raw = request.query as Record<string, string | string[]>;
    const q = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, Array.isArray(v) ? v.at(-1)! : v]));
    const caller = callerOf(request);
    // Glance's words: the deserializer's, then its database API's for a sort key that is no column.
    if (q.sort_dir !== undefined && !['asc', 'desc'].includes(q.sort_dir)) throw badRequest(`Invalid sort direction: ${q.sort_dir}`);
    if (q.status && !(TASK_STATUSES as readonly string[]).includes(q.status)) throw badRequest(`Invalid status value: ${q.status}`);
    if (q.type && !['import', 'api_image_import'].includes(q.type)) throw badRequest(`Invalid type value: ${q.type}`);
    if (q.marker && !UUID_RE.test(q.marker)) throw badRequest('Invalid marker format');
    let limit = d.config.values.DEFAULT.limit_param_default;
    if (q.limit !== undefined) {
      const n = pythonInt(q.limit);
      if (n === undefined) throw badRequest('limit param must be an integer');
      if (n < 0) throw badRequest('limit param must be positive');
      limit = n;
    }
    limit = Math.min(limit, d.config.values.DEFAULT.api_limit_max);
    const sortKey = q.sort_key ?? 'created_at';
    if (!(TASK_SORT_KEYS as readonly string[]).includes(sortKey)) throw badRequest('Sort key supplied was not valid.');
    const tasks = await d.db.tasks.list({
      ...(caller.isAdmin ? {} : { owner: caller.projectId }),
      ...(q.status ? { status: q.status as TaskStatus } : {}),
      ...(q.type ? { type: q.type } : {}),
      sort: { key: sortKey, dir: (q.sort_dir as 'asc' | 'desc' | undefined) ?? 'desc' },
      limit,
      ...(q.marker ? { marker: q.marker } : {}),
    });
    const out: Record<string, unknown> = { tasks: tasks.map(taskStub), first: pageLink('/v2/tasks', raw), schema: '/v2/schemas/tasks' };
    if (tasks.length > 0 && tasks.length === limit) out.next = pageLink('/v2/tasks', raw, tasks.at(-1)!.id);
    return out;
  });

  app.post('/v2/tasks', async (request, reply) => {
    access(request);
    const body = request.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Body expected in request.');
    for (const k of ['type', 'input']) if (!(k in body)) throw badRequest(`Task '${k}' is required`);
    if (!['import', 'api_image_import'].includes(String(body.type))) throw badRequest(`Invalid type value: ${String(body.type)}`);
    if (typeof body.input !== 'object' || body.input === null || Array.isArray(body.input))
      throw badRequest("Provided object does not match schema 'task': 'input' must be an object");
    const caller = callerOf(request);
    const task = await d.db.tasks.create({
      id: randomUUID(),
      type: String(body.type),
      owner: caller.projectId,
      image_id: null,
      request_id: request.id,
      user_id: caller.userId,
      input: body.input,
    });
    // Legacy `import` tasks (copy_from by URL) are not run by this service; like a Glance that refuses
    // their input when they run, the task is created pending and then fails with the reason.
    await d.db.tasks.update(task.id, {
      status: 'failure',
      message: 'Legacy import tasks are not supported; use the interoperable image import (POST /v2/images/{id}/import).',
    });
    reply.header('Location', `${request.protocol}://${request.host}/v2/tasks/${task.id}`);
    return reply.code(201).send(taskView(task));
  });

  app.get<{ Params: Params }>('/v2/tasks/:id', async (request) => {
    assertNoBody(request);
    access(request);
    const caller = callerOf(request);
    const task = await d.db.tasks.get(request.params.id);
    if (!task || (!caller.isAdmin && task.owner !== caller.projectId)) throw notFound(`Could not find task ${request.params.id}`);
    return taskView(task);
  });

  app.delete('/v2/tasks/:id', async () => {
    throw giError('GI_API_METHOD_NOT_ALLOWED', {
      method: 'DELETE',
      allowed: ['GET'],
      message: 'This operation is currently not permitted on Glance Tasks. They are auto deleted after reaching the time based on their expires_at property.',
    });
  });
}
