import { randomUUID } from 'node:crypto';
import { isGlanceImportError } from '@glance-import/core';
import { giError } from '../errors.js';
import type { ImageRecord } from '@glance-import/db';
import type { FastifyInstance } from 'fastify';
import { conflict, forbidden, notFound } from '../http/errors.js';
import { assertNoBody, authorize, callerOf, visibleImage } from '../http/guards.js';
import { beforeOf, type ImportJob, type ImportTaskInput } from '../import/job.js';
import { bustStaleLock, holdsStaleLock } from '../import/lock.js';
import { methodFor } from '../methods/method.js';
import { checkImportStatus, parseImportBody, resolveTargetStores } from '../import/request.js';
import { FAILED_PROPERTY, IMPORTING_PROPERTY, importEnabled, LOCK_PROPERTY, parseStoreList, storeList } from '../import/settings.js';
import type { Runtime } from '../runtime.js';
import { imageTaskRow } from '../views/task.js';

type Params = { id: string };

/** Quotas at the import call (413 with the limit named), as Glance checks them per method. */
async function enforceImportQuotas(rt: Runtime, image: ImageRecord, method: string, stores: number): Promise<void> {
  const owner = image.owner ?? '';
  const size = image.size ?? 0;
  if (method === 'glance-direct') await rt.quotas.enforce(owner, 'image_size_total', size * stores);
  if (method === 'copy-image') {
    await rt.quotas.enforce(owner, 'image_size_total', size * stores);
    await rt.quotas.enforce(owner, 'image_stage_total', size);
  }
  if (method === 'web-download' || method === 'glance-download') await rt.quotas.enforce(owner, 'image_stage_total', 0);
  if (method !== 'glance-direct') await rt.quotas.enforce(owner, 'image_count_uploading', 1);
}

export function importRoutes(app: FastifyInstance, rt: Runtime): void {
  const disabled = () => notFound('Image import is not supported at this site.');

  app.post<{ Params: Params }>('/v2/images/:id/import', async (request, reply) => {
    if (!importEnabled(rt)) throw disabled();
    const req = parseImportBody(request.body, rt.config.values.DEFAULT.enabled_import_methods);
    let image = await visibleImage(rt, request, request.params.id);
    const rule = req.method.name === 'copy-image' ? 'copy_image' : 'modify_image';
    try {
      checkImportStatus(image, req.method.name);
    } catch (e) {
      // Glance's order: status, then policy, then the lock. But an image a dead import left behind
      // (stale lock) gets its pre-import status back by the takeover, and is judged again.
      if (!(await holdsStaleLock(rt, image))) throw e;
      authorize(rt, request, rule, image);
      image = await bustStaleLock(rt, image);
      checkImportStatus(image, req.method.name);
    }
    authorize(rt, request, rule, image);
    image = await bustStaleLock(rt, image);
    const stores = resolveTargetStores(rt, req, image, request.headers['x-image-meta-store'] as string | undefined);
    await methodFor(req.method.name)?.validate?.(rt, req, image);
    if (stores.length === 0) return reply.code(202).send();
    const caller = callerOf(request);
    await enforceImportQuotas(rt, image, req.method.name, stores.length);
    const before = beforeOf(image);
    const input: ImportTaskInput = { image_id: image.id, import_req: req, backend: rt.stores.multi ? stores : [], previous: before };
    const task = await rt.db.tasks.create({ id: randomUUID(), type: 'api_image_import', owner: caller.projectId, image_id: image.id, request_id: request.id, user_id: caller.userId, input });
    if (!(await rt.db.images.setPropertyIfAbsent(image.id, LOCK_PROPERTY, task.id))) {
      // Glance persists the task only once it holds the lock: the caller gets 409 and no task is left.
      await rt.db.tasks.discard(task.id);
      throw giError('GI_API_CONFLICT', { message: `New operation on image '${image.id}' is not permitted as prior operation is still in progress` });
    }
    try {
      // The image shows `importing` (and where it is going) as soon as the call returns. Unlike
      // Glance, os_glance_stage_host stays until the import succeeds: a retry needs the stage host.
      await rt.db.images.update(image.id, {
        columns: req.method.name === 'copy-image' ? {} : { status: 'importing' },
        setProperties: {
          [IMPORTING_PROPERTY]: storeList(rt.stores.multi ? [...parseStoreList(image.properties[IMPORTING_PROPERTY]), ...stores] : []),
          [FAILED_PROPERTY]: storeList(parseStoreList(image.properties[FAILED_PROPERTY]).filter((s) => !stores.includes(s))),
        },
      }, { fromStatus: [image.status] });
    } catch (e) {
      await rt.db.images.deletePropertyIfEquals(image.id, LOCK_PROPERTY, task.id);
      await rt.db.tasks.update(task.id, { status: 'failure', message: 'The image changed status before the import could start.' });
      throw giError('GI_API_CONFLICT', { message: `Image ${image.id} changed status while the import was starting; try again.` }, { cause: e });
    }
    const job: ImportJob = { task, imageId: image.id, request: req, stores, before, caller, requestId: request.id };
    rt.executor.submit(job);
    return reply.code(202).send();
  });

  app.get('/v2/info/import', async (request) => {
    assertNoBody(request);
    if (!importEnabled(rt)) throw disabled();
    return { 'import-methods': { description: 'Import methods available.', type: 'array', value: rt.config.values.DEFAULT.enabled_import_methods } };
  });

  app.get('/v2/info/usage', async (request) => {
    assertNoBody(request);
    const project = callerOf(request).projectId;
    const usage = await rt.quotas.usage(project);
    return { usage: Object.fromEntries(Object.entries(usage).map(([k, u]) => [k, { usage: u, limit: rt.quotas.limit(k as keyof typeof usage) }])) };
  });

  app.get('/v2/info/stores', async (request) => {
    assertNoBody(request);
    if (!rt.stores.multi) throw notFound('Multi backend is not supported at this site.');
    return {
      stores: [...rt.stores.byId.values()].map((s) => ({
        id: s.id, ...(s.description ? { description: s.description } : {}),
        ...(s.id === rt.stores.defaultId ? { default: 'true' } : {}), ...(s.readOnly ? { 'read-only': 'true' } : {}),
      })),
    };
  });

  app.get('/v2/info/stores/detail', async (request) => {
    assertNoBody(request);
    if (!rt.stores.multi) throw notFound('Multi backend is not supported at this site.');
    rt.policy.enforce('stores_info_detail', {}, { user_id: callerOf(request).userId, project_id: callerOf(request).projectId, roles: callerOf(request).roles });
    return {
      stores: [...rt.stores.byId.values()].map((s) => ({
        id: s.id, type: s.type, weight: s.weight, ...(s.description ? { description: s.description } : {}),
        ...(s.id === rt.stores.defaultId ? { default: 'true' } : {}), ...(s.readOnly ? { 'read-only': 'true' } : {}), properties: {},
      })),
    };
  });

  // 2.10: drop one store's copy of an image. Checks and answers in Glance's order (delete_from_store).
  app.delete<{ Params: { store: string; id: string } }>('/v2/stores/:store/:id', async (request, reply) => {
    assertNoBody(request);
    if (!rt.stores.multi) throw notFound('Multi backend is not supported at this site.');
    const { store, id } = request.params;
    if (!rt.stores.byId.has(store)) throw conflict(`The selected store ${store} is not available on this node.`);
    const image = await visibleImage(rt, request, id).catch((e: unknown) => {
      throw isGlanceImportError(e, 'GI_API_NOT_FOUND') ? notFound(`Failed to find image ${id}`) : e;
    });
    authorize(rt, request, 'get_image_location', image);
    authorize(rt, request, 'delete_image_location', image);
    if (image.status !== 'active') throw conflict("It's not allowed to remove image data from store if image status is not 'active'");
    const active = image.locations.filter((l) => l.status === 'active');
    // Glance refuses to drop the last copy before it looks at which store holds it.
    if (active.length === 1) throw forbidden('Cannot delete image data from the only store containing it. Consider deleting the image instead.');
    const here = active.filter((l) => l.store === store);
    if (here.length === 0) throw notFound(`Image ${image.id} is not stored in store ${store}.`);
    for (const loc of here) {
      await rt.stores.byId.get(store)!.delete(loc.url);
      await rt.db.images.removeLocation(image.id, loc.id);
    }
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/v2/images/:id/tasks', async (request) => {
    assertNoBody(request);
    const image = await visibleImage(rt, request, request.params.id);
    return { tasks: (await rt.db.tasks.listForImage(image.id)).map(imageTaskRow) };
  });
}
