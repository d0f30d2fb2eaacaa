import { randomUUID } from 'node:crypto';
import type { ImageRecord, Visibility } from '@glance-import/db';
import { isGlanceImportError } from '@glance-import/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CREATE_READ_ONLY, BASE_ATTRIBUTES, isReservedName } from '../images/attributes.js';
import { deleteImage, type DeleteDeps } from '../images/delete.js';
import { RELAYED_HEADER, relayToStageHost, stageHostFor } from '../import/stage-host.js';
import { parsePatch, planPatch, PATCH_V20, PATCH_V21 } from '../images/patch.js';
import { parseListQuery, type RawQuery } from '../images/list-query.js';
import { checkTag, checkTagQuota, validateAttribute, validateExtraProperty, type Formats } from '../images/validate.js';
import { badRequest, conflict, forbidden, notFound, unsupportedMediaType } from '../http/errors.js';
import { pageLink } from '../http/links.js';
import { assertNoBody, authorize, callerOf, credentials, imageTarget, visibleImage } from '../http/guards.js';
import type { PolicyEnforcer } from '@glance-import/policy';
import type { Quotas } from '../quotas.js';
import type { ServerConfig } from '../options.js';

type Params = { id: string };

function createBody(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null || body === '') throw badRequest('Body expected in request.');
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body must be a JSON object.');
  return body as Record<string, unknown>;
}

export interface ImageRouteDeps extends DeleteDeps {
  config: ServerConfig;
  policy: PolicyEnforcer;
  quotas: Quotas;
  formats: Formats;
  view(image: ImageRecord): Record<string, unknown>;
  /** This node's URL as other nodes reach it (the stage host it records). */
  selfUrl: string | undefined;
}

export function imageRoutes(app: FastifyInstance, d: ImageRouteDeps): void {
  app.post('/v2/images', async (request, reply) => {
    const body = createBody(request.body);
    const caller = callerOf(request);
    const columns: Record<string, unknown> = {};
    const properties: Record<string, string> = {};
    let tags: string[] = [];
    for (const [k, v] of Object.entries(body)) {
      if (isReservedName(k)) throw forbidden(`Attribute '${k}' is reserved.`);
      if (CREATE_READ_ONLY.has(k)) throw forbidden(`Attribute '${k}' is read-only.`);
      if (k === 'locations') throw forbidden("Attribute 'locations' is reserved.");
      if (BASE_ATTRIBUTES.has(k)) {
        const value = validateAttribute(k, v, d.formats);
        if (k === 'tags') tags = value as string[];
        else columns[k] = value;
      } else properties[k] = validateExtraProperty(k, v);
    }
    const owner = (columns.owner as string | null | undefined) ?? caller.projectId;
    if (owner !== caller.projectId && !caller.isAdmin) throw forbidden(`You are not permitted to create images owned by '${owner}'.`);
    const visibility = (columns.visibility as Visibility | undefined) ?? 'shared';
    const creds = credentials(caller);
    d.policy.enforce('add_image', { project_id: owner, owner, visibility }, creds);
    if (visibility === 'public') d.policy.enforce('publicize_image', { project_id: owner, owner, visibility }, creds);
    if (visibility === 'community') d.policy.enforce('communitize_image', { project_id: owner, owner, visibility }, creds);
    await d.quotas.enforce(owner, 'image_count_total', 1);
    checkTagQuota(tags.length, d.config.values.DEFAULT.image_tag_quota);
    const image = await d.db.images
      .create({
        id: (columns.id as string | undefined) ?? randomUUID(),
        name: (columns.name as string | null | undefined) ?? null,
        visibility,
        owner,
        disk_format: (columns.disk_format as string | null | undefined) ?? null,
        container_format: (columns.container_format as string | null | undefined) ?? null,
        min_disk: (columns.min_disk as number | undefined) ?? 0,
        min_ram: (columns.min_ram as number | undefined) ?? 0,
        protected: (columns.protected as boolean | undefined) ?? false,
        os_hidden: (columns.os_hidden as boolean | undefined) ?? false,
        properties,
        tags,
      })
      .catch((e: { code?: string }) => {
        throw e.code === 'GI_DB_DUPLICATE' ? conflict(`An image with identifier ${String(columns.id)} already exists`) : e;
      });
    const methods = d.config.values.DEFAULT.enable_image_import ? d.config.values.DEFAULT.enabled_import_methods : [];
    if (methods.length) reply.header('OpenStack-image-import-methods', methods.join(','));
    if (d.stores.multi) reply.header('OpenStack-image-store-ids', [...d.stores.byId.keys()].join(','));
    reply.header('Location', `${request.protocol}://${request.host}/v2/images/${image.id}`);
    return reply.code(201).send(d.view(image));
  });

  app.get('/v2/images', async (request) => {
    const caller = callerOf(request);
    const query = request.query as RawQuery;
    const q = parseListQuery(
      query,
      { projectId: caller.projectId, isAdmin: caller.isAdmin },
      {
        limitDefault: d.config.values.DEFAULT.limit_param_default,
        limitMax: d.config.values.DEFAULT.api_limit_max,
      },
    );
    const creds = credentials(caller);
    d.policy.enforce('get_images', { project_id: caller.projectId, owner: caller.projectId }, creds);
    const rows = await d.db.images.list(q);
    const page = rows.filter((i) => d.policy.check('get_image', imageTarget(i), creds));
    const out: Record<string, unknown> = { images: page.map((i) => d.view(i)), first: pageLink('/v2/images', query), schema: '/v2/schemas/images' };
    // Whether the database had more is known from its rows; the policy may have hidden some (Glance's db_image_count).
    if (page.length > 0 && rows.length === q.limit) out.next = pageLink('/v2/images', query, page.at(-1)!.id);
    return out;
  });

  app.get<{ Params: Params }>('/v2/images/:id', async (request) => {
    assertNoBody(request);
    return d.view(await visibleImage(d, request, request.params.id));
  });

  app.patch<{ Params: Params }>('/v2/images/:id', async (request, reply) => {
    const ct = (request.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (ct !== PATCH_V21 && ct !== PATCH_V20) {
      reply.header('Accept-Patch', `${PATCH_V20}, ${PATCH_V21}`);
      throw unsupportedMediaType(`Image PATCH expects Content-Type one of: ${PATCH_V20}, ${PATCH_V21}`);
    }
    const image = await visibleImage(d, request, request.params.id);
    authorize(d, request, 'modify_image', image);
    const ops = parsePatch(request.body, ct);
    const caller = callerOf(request);
    const changes = planPatch(image, ops, {
      formats: d.formats,
      isAdmin: caller.isAdmin,
      dialect: ct,
      propertyQuota: d.config.values.DEFAULT.image_property_quota,
      tagQuota: d.config.values.DEFAULT.image_tag_quota,
    });
    const vis = changes.columns?.visibility;
    if (vis && vis !== image.visibility) {
      const target = { ...imageTarget(image), visibility: vis };
      if (vis === 'public') d.policy.enforce('publicize_image', target, credentials(caller));
      if (vis === 'community') d.policy.enforce('communitize_image', target, credentials(caller));
    }
    const formatChange = changes.columns && ('disk_format' in changes.columns || 'container_format' in changes.columns);
    const updated = await d.db.images.update(image.id, changes, formatChange ? { fromStatus: ['queued', 'importing'] } : {}).catch((e: { code?: string }) => {
      throw e.code === 'GI_DB_CONFLICT' ? forbidden('Attribute disk_format can be only replaced for a queued image.') : e;
    });
    return d.view(updated);
  });

  app.delete<{ Params: Params }>('/v2/images/:id', async (request, reply) => {
    assertNoBody(request);
    const image = await visibleImage(d, request, request.params.id);
    authorize(d, request, 'delete_image', image);
    if (image.protected) throw forbidden(`Image ${image.id} is protected and cannot be deleted.`);
    // As Glance: data staged on another node is deleted there, by that node deleting the image; its
    // refusal is the answer. A stage host that is down or failing leaves the delete to this node
    // (the staged file stays there until that node's start-up sweep).
    const host = stageHostFor(image, d.selfUrl, request.headers[RELAYED_HEADER] !== undefined);
    if (host) {
      const call = { method: 'DELETE', path: request.url, headers: request.headers, body: undefined };
      const remote = await relayToStageHost(host, call, { selfUrl: d.selfUrl, imageId: image.id }).catch((err: unknown) => {
        request.log.warn({ err, image_id: image.id, stage_host: host }, 'stage host unavailable; deleting the image here');
        return undefined;
      });
      if (remote && remote.status < 500) return reply.code(remote.status).headers(remote.headers).send(remote.body);
    }
    await deleteImage(d, image, request.log);
    return reply.code(204).send();
  });

  // The tags controller words an unknown image its own way.
  const taggedImage = (request: FastifyRequest<{ Params: Params }>) =>
    visibleImage(d, request, request.params.id).catch((e: unknown) => {
      throw isGlanceImportError(e, 'GI_API_NOT_FOUND') ? notFound(`Image ${request.params.id} not found.`) : e;
    });

  app.put<{ Params: Params & { tag: string } }>('/v2/images/:id/tags/:tag', async (request, reply) => {
    assertNoBody(request);
    const image = await taggedImage(request);
    authorize(d, request, 'modify_image', image);
    const tag = checkTag(request.params.tag);
    if (!image.tags.includes(tag)) {
      checkTagQuota(image.tags.length + 1, d.config.values.DEFAULT.image_tag_quota, image.id);
      await d.db.images.update(image.id, { tags: [...image.tags, tag] });
    }
    return reply.code(204).send();
  });

  app.delete<{ Params: Params & { tag: string } }>('/v2/images/:id/tags/:tag', async (request, reply) => {
    assertNoBody(request);
    const image = await taggedImage(request);
    authorize(d, request, 'modify_image', image);
    if (!image.tags.includes(request.params.tag)) throw notFound(`Tag ${request.params.tag} not found on image ${image.id}.`);
    await d.db.images.update(image.id, { tags: image.tags.filter((t) => t !== request.params.tag) });
    return reply.code(204).send();
  });

  for (const action of ['deactivate', 'reactivate'] as const) {
    app.post<{ Params: Params }>(`/v2/images/:id/actions/${action}`, async (request, reply) => {
      assertNoBody(request);
      const image = await visibleImage(d, request, request.params.id);
      authorize(d, request, action, image);
      const [from, to] = action === 'deactivate' ? ['active', 'deactivated'] : ['deactivated', 'active'];
      if (image.status === to) return reply.code(204).send();
      if (image.status !== from) throw forbidden(`Not allowed to ${action} image in status '${image.status}'`);
      await d.db.images.update(image.id, { columns: { status: to as ImageRecord['status'] } }, { fromStatus: [from as ImageRecord['status']] });
      return reply.code(204).send();
    });
  }
}
