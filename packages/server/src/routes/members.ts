import { giError } from '../errors.js';
import type { Database, ImageMember, ImageRecord } from '@glance-import/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, conflict, forbidden, notFound } from '../http/errors.js';
import { assertNoBody, callerOf, credentials, imageTarget, visibleImage } from '../http/guards.js';
import type { PolicyEnforcer } from '@glance-import/policy';
import { isoSeconds } from '../views/time.js';
import type { ServerConfig } from '../options.js';

type Params = { id: string; member: string };

const memberView = (m: ImageMember) => ({
  created_at: isoSeconds(m.created_at),
  image_id: m.image_id,
  member_id: m.member,
  schema: '/v2/schemas/member',
  status: m.status,
  updated_at: isoSeconds(m.updated_at),
});

const ONLY_SHARED = 'Only shared images have members.';

/** Glance's `_check_visibility_and_ownership`: each call words the refusal its own way. */
function onlyShared(image: ImageRecord, refusal: Error): void {
  if (image.visibility !== 'shared') throw refusal;
}

export interface MemberRouteDeps {
  config: ServerConfig;
  db: Database;
  policy: PolicyEnforcer;
}

/** Image members (shared images): the owner adds projects, each member accepts or rejects. */
export function memberRoutes(app: FastifyInstance, d: MemberRouteDeps): void {
  // Member rules see the caller as the member of the image (`project_id:%(member_id)s`).
  const enforce = (request: FastifyRequest, rule: string, image: ImageRecord) =>
    d.policy.enforce(rule, imageTarget(image, { member: callerOf(request).projectId }), credentials(callerOf(request)));

  app.post<{ Params: Params }>('/v2/images/:id/members', async (request) => {
    const body = request.body as { member?: unknown } | undefined;
    const image = await visibleImage(d, request, request.params.id);
    onlyShared(image, forbidden(`Not allowed to create members for image ${image.id}.`));
    enforce(request, 'add_member', image);
    if (!body || typeof body.member !== 'string' || !body.member) throw badRequest('Member to be added not specified');
    const quota = d.config.values.DEFAULT.image_member_quota;
    if (quota >= 0 && (await d.db.images.members(image.id)).length >= quota)
      throw giError('GI_API_TOO_LARGE', { message: `Maximum number of image members exceeded: ${quota}` });
    const m = await d.db.images.addMember(image.id, body.member).catch((e: { code?: string }) => {
      throw e.code === 'GI_DB_DUPLICATE' ? conflict(`The target member ${String(body.member)} is already associated with image ${image.id}.`) : e;
    });
    return memberView(m);
  });

  app.get<{ Params: Params }>('/v2/images/:id/members', async (request) => {
    assertNoBody(request);
    const image = await visibleImage(d, request, request.params.id);
    onlyShared(image, forbidden(`Not allowed to list members for image ${image.id}: ${ONLY_SHARED}`));
    enforce(request, 'get_members', image);
    const caller = callerOf(request);
    const all = await d.db.images.members(image.id);
    // A member sees its own membership only; the owner and admins see them all.
    const mine = caller.isAdmin || image.owner === caller.projectId ? all : all.filter((m) => m.member === caller.projectId);
    return { members: mine.map(memberView), schema: '/v2/schemas/members' };
  });

  app.get<{ Params: Params }>('/v2/images/:id/members/:member', async (request) => {
    assertNoBody(request);
    const image = await visibleImage(d, request, request.params.id);
    onlyShared(image, notFound(ONLY_SHARED));
    enforce(request, 'get_member', image);
    const caller = callerOf(request);
    const m = (await d.db.images.members(image.id)).find((x) => x.member === request.params.member);
    if (!m || (!caller.isAdmin && image.owner !== caller.projectId && m.member !== caller.projectId))
      throw notFound(`${request.params.member} is not a member of image ${image.id}`);
    return memberView(m);
  });

  app.put<{ Params: Params }>('/v2/images/:id/members/:member', async (request) => {
    const image = await visibleImage(d, request, request.params.id);
    onlyShared(image, forbidden(`Not allowed to update members for image ${image.id}.`));
    const caller = callerOf(request);
    const status = (request.body as { status?: unknown } | undefined)?.status;
    if (!['pending', 'accepted', 'rejected'].includes(status as string))
      throw badRequest(`Invalid status: ${String(status)}. Status must be one of pending, accepted, rejected.`);
    // Only the member itself decides on its membership (modify_member), not the owner.
    if (request.params.member !== caller.projectId && !caller.isAdmin) throw forbidden('You are not permitted to modify the membership of another project.');
    enforce(request, 'modify_member', image);
    const m = await d.db.images.setMemberStatus(image.id, request.params.member, status as ImageMember['status']);
    if (!m) throw notFound(`${request.params.member} is not a member of image ${image.id}`);
    return memberView(m);
  });

  app.delete<{ Params: Params }>('/v2/images/:id/members/:member', async (request, reply) => {
    assertNoBody(request);
    const image = await visibleImage(d, request, request.params.id);
    onlyShared(image, forbidden(`Not allowed to delete members for image ${image.id}.`));
    enforce(request, 'delete_member', image);
    if (image.owner !== callerOf(request).projectId && !callerOf(request).isAdmin) throw forbidden('Only the owner of an image may remove its members.');
    if (!(await d.db.images.removeMember(image.id, request.params.member))) throw notFound(`${request.params.member} is not a member of image ${image.id}`);
    return reply.code(204).send();
  });
}
