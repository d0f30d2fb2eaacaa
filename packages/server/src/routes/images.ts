import { randomUUID } from 'node:crypto';
import type { ImageQuery, ImageRecord, SortKey, Visibility } from '@glance-import/db';
import { IMAGE_SORT_KEYS } from '@glance-import/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CREATE_READ_ONLY, BASE_ATTRIBUTES, isReservedName } from '../images/attributes.js';
import { deleteImage, type DeleteDeps } from '../images/delete.js';
import { parsePatch, planPatch, PATCH_V20, PATCH_V21 } from '../images/patch.js';
import { validateAttribute, validateExtraProperty, type Formats } from '../images/validate.js';
import { giError } from '../errors.js';
import { badRequest, conflict, forbidden, notFound, unsupportedMediaType } from '../http/errors.js';
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

/** Glance's list query: sort_key/sort_dir (repeatable) or sort=k:dir,...; filters; any other key filters properties. */
function listQuery(d: ImageRouteDeps, request: FastifyRequest): ImageQuery {
  const raw = request.query as Record<string, string | string[]>;
  const all = (k: string) => (raw[k] === undefined ? [] : Array.isArray(raw[k]) ? (raw[k] as string[]) : [raw[k] as string]);
  const one = (k: string) => all(k).at(-1);
  const caller = callerOf(request);
  const limitRaw = one('limit');
  const limitMax = d.config.values.DEFAULT.api_limit_max;
  let limit = d.config.values.DEFAULT.limit_param_default;
  if (limitRaw !== undefined) {
    if (!/^\d+$/.test(limitRaw)) throw badRequest('limit param must be an integer');
    limit = Math.min(Number(limitRaw), limitMax);
  }
  const sort: SortKey[] = [];
  const checkKey = (k: string) => { if (!(IMAGE_SORT_KEYS as readonly string[]).includes(k)) throw badRequest(`Invalid sort key: ${k}. It should be one of the following: ${IMAGE_SORT_KEYS.join(', ')}.`); return k; };
  const checkDir = (d: string) => { if (d !== 'asc' && d !== 'desc') throw badRequest(`Invalid sort direction: ${d}. It should be one of the following: asc, desc.`); return d as 'asc' | 'desc'; };
  if (one('sort') !== undefined) {
    if (all('sort_key').length || all('sort_dir').length) throw badRequest('The "sort" param cannot be used with "sort_key" or "sort_dir".');
    for (const part of one('sort')!.split(',')) {
      const [k, d] = part.split(':').map((s) => s.trim());
      sort.push({ key: checkKey(k!), dir: checkDir(d ?? 'desc') });
    }
  } else {
    const keys = all('sort_key').length ? all('sort_key') : ['created_at'];
    const dirs = all('sort_dir');
    if (dirs.length > 1 && dirs.length !== keys.length) throw badRequest('Number of sort dirs does not match the number of sort keys');
    keys.forEach((k, i) => sort.push({ key: checkKey(k), dir: checkDir(dirs[dirs.length > 1 ? i : 0] ?? 'desc') }));
  }
  const bool = (k: string) => {
    const v = one(k);
    if (v === undefined) return undefined;
    if (!['true', 'false'].includes(v.toLowerCase())) throw badRequest(`Invalid value '${v}' for ${k}: expected true or false.`);
    return v.toLowerCase() === 'true';
  };
  const int = (k: string) => {
    const v = one(k);
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw badRequest(`Invalid value '${v}' for parameter '${k}': must be an integer.`);
    return Number(v);
  };
  const vis = one('visibility');
  if (vis !== undefined && !['public', 'private', 'shared', 'community', 'all'].includes(vis)) throw badRequest(`Invalid visibility value: ${vis}`);
  if (one('changes-since') !== undefined) throw badRequest('The changes-since filter is not supported by the v2 API.');
  const known = new Set(['limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'visibility', 'member_status', 'name', 'status', 'owner', 'disk_format', 'container_format', 'size_min', 'size_max', 'tag', 'os_hidden', 'protected', 'id']);
  const properties = Object.fromEntries(Object.entries(raw).filter(([k]) => !known.has(k)).map(([k, v]) => [k, Array.isArray(v) ? v.at(-1)! : v]));
  const idFilter = one('id');
  const q: ImageQuery = {
    viewer: { projectId: caller.projectId, isAdmin: caller.isAdmin }, sort, limit,
    ...(one('marker') ? { marker: one('marker')! } : {}),
    ...(vis ? { visibility: vis as Visibility | 'all' } : {}),
    ...(one('member_status') ? { member_status: one('member_status') as ImageQuery['member_status'] } : {}),
    ...(one('name') !== undefined ? { name: one('name')! } : {}),
    ...(one('status') ? { status: one('status')! } : {}),
    ...(one('owner') ? { owner: one('owner')! } : {}),
    ...(one('disk_format') ? { disk_format: one('disk_format')! } : {}),
    ...(one('container_format') ? { container_format: one('container_format')! } : {}),
    ...(int('size_min') !== undefined ? { size_min: int('size_min')! } : {}),
    ...(int('size_max') !== undefined ? { size_max: int('size_max')! } : {}),
    ...(bool('protected') !== undefined ? { protected: bool('protected')! } : {}),
    ...(bool('os_hidden') !== undefined ? { os_hidden: bool('os_hidden')! } : {}),
    ...(all('tag').length ? { tags: all('tag') } : {}),
    ...(idFilter ? { ids: idFilter.startsWith('in:') ? idFilter.slice(3).split(',') : [idFilter] } : {}),
    ...(Object.keys(properties).length ? { properties } : {}),
  };
  return q;
}

export interface ImageRouteDeps extends DeleteDeps {
  config: ServerConfig;
  policy: PolicyEnforcer;
  quotas: Quotas;
  formats: Formats;
  view(image: ImageRecord): Record<string, unknown>;
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
      if (k === 'locations') throw forbidden("Attribute 'locations' is read-only.");
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
    if (tags.length > d.config.values.DEFAULT.image_tag_quota && d.config.values.DEFAULT.image_tag_quota >= 0) throw badRequest('Maximum number of tags exceeded');
    const image = await d.db.images.create({
      id: (columns.id as string | undefined) ?? randomUUID(), name: (columns.name as string | null | undefined) ?? null, visibility, owner,
      disk_format: (columns.disk_format as string | null | undefined) ?? null, container_format: (columns.container_format as string | null | undefined) ?? null,
      min_disk: (columns.min_disk as number | undefined) ?? 0, min_ram: (columns.min_ram as number | undefined) ?? 0,
      protected: (columns.protected as boolean | undefined) ?? false, os_hidden: (columns.os_hidden as boolean | undefined) ?? false, properties, tags,
    }).catch((e: { code?: string }) => { throw e.code === 'GI_DB_DUPLICATE' ? conflict(`An image with identifier ${String(columns.id)} already exists`) : e; });
    const methods = d.config.values.DEFAULT.enable_image_import ? d.config.values.DEFAULT.enabled_import_methods : [];
    if (methods.length) reply.header('OpenStack-image-import-methods', methods.join(','));
    if (d.stores.multi) reply.header('OpenStack-image-store-ids', [...d.stores.byId.keys()].join(','));
    reply.header('Location', `${request.protocol}://${request.host}/v2/images/${image.id}`);
    return reply.code(201).send(d.view(image));
  });

  app.get('/v2/images', async (request) => {
    const q = listQuery(d, request);
    d.policy.enforce('get_images', { project_id: q.viewer.projectId, owner: q.viewer.projectId }, credentials(callerOf(request)));
    const creds = credentials(callerOf(request));
    const page = (await d.db.images.list(q)).filter((i) => d.policy.check('get_image', imageTarget(i), creds));
    const out: Record<string, unknown> = { images: page.map((i) => d.view(i)), first: '/v2/images', schema: '/v2/schemas/images' };
    if (page.length > 0 && page.length === q.limit) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(request.query as Record<string, string | string[]>)) {
        if (k === 'marker') continue;
        for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
      }
      params.set('marker', page.at(-1)!.id);
      out.next = `/v2/images?${params.toString()}`;
    }
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
      formats: d.formats, isAdmin: caller.isAdmin, dialect: ct,
      propertyQuota: d.config.values.DEFAULT.image_property_quota, tagQuota: d.config.values.DEFAULT.image_tag_quota,
    });
    const vis = changes.columns?.visibility;
    if (vis && vis !== image.visibility) {
      const target = { ...imageTarget(image), visibility: vis };
      if (vis === 'public') d.policy.enforce('publicize_image', target, credentials(caller));
      if (vis === 'community') d.policy.enforce('communitize_image', target, credentials(caller));
    }
    const formatChange = changes.columns && ('disk_format' in changes.columns || 'container_format' in changes.columns);
    const updated = await d.db.images.update(image.id, changes, formatChange ? { fromStatus: ['queued', 'importing'] } : {})
      .catch((e: { code?: string }) => { throw e.code === 'GI_DB_CONFLICT' ? forbidden('Attribute disk_format can be only replaced for a queued image.') : e; });
    return d.view(updated);
  });

  app.delete<{ Params: Params }>('/v2/images/:id', async (request, reply) => {
    assertNoBody(request);
    const image = await visibleImage(d, request, request.params.id);
    authorize(d, request, 'delete_image', image);
    if (image.protected) throw forbidden(`Image ${image.id} is protected and cannot be deleted.`);
    await deleteImage(d, image, request.log);
    return reply.code(204).send();
  });

  app.put<{ Params: Params & { tag: string } }>('/v2/images/:id/tags/:tag', async (request, reply) => {
    assertNoBody(request);
    const image = await visibleImage(d, request, request.params.id);
    authorize(d, request, 'modify_image', image);
    const tag = request.params.tag;
    if (tag.length > 255) throw badRequest('Tag is longer than 255 characters.');
    if (!image.tags.includes(tag)) {
      const quota = d.config.values.DEFAULT.image_tag_quota;
      if (quota >= 0 && image.tags.length + 1 > quota) throw giError('GI_API_TOO_LARGE', { message: `Maximum number of tags exceeded: ${quota}` });
      await d.db.images.update(image.id, { tags: [...image.tags, tag] });
    }
    return reply.code(204).send();
  });

  app.delete<{ Params: Params & { tag: string } }>('/v2/images/:id/tags/:tag', async (request, reply) => {
    assertNoBody(request);
    const image = await visibleImage(d, request, request.params.id);
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
