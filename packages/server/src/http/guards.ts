import type { Database, ImageRecord } from '@glance-import/db';
import { enforceImage, imageTarget as policyTarget, type Credentials, type ImageLike, type PolicyEnforcer, type Target } from '@glance-import/policy';
import { giError } from '../errors.js';
import type { FastifyRequest } from 'fastify';
import { badRequest, imageNotFound } from './errors.js';
import type { CallerIdentity } from './identity.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller: CallerIdentity | undefined;
  }
}

/** The policy target of an image: its attributes and extra properties, owner as project_id (Glance's ImageTarget). */
export function imageTarget(image: ImageRecord, options: { member?: string | null } = {}): Target {
  return policyTarget(policyImage(image), options);
}

// The record is already an ImageLike: its `properties` is the policy's bag, its locations are left out.
const policyImage = (image: ImageRecord): ImageLike => image as unknown as ImageLike;

export function callerOf(request: FastifyRequest): CallerIdentity {
  if (!request.caller) throw giError('GI_API_UNAUTHENTICATED', { reason: 'no identity on this request' });
  return request.caller;
}

export function credentials(c: CallerIdentity): Credentials {
  return { ...c.policyValues, user_id: c.userId, project_id: c.projectId, roles: c.roles, is_admin: c.isAdmin };
}

/** Glance refuses a body on reads and deletes: 400 "A body is not expected with this request." */
export function assertNoBody(request: FastifyRequest): void {
  const len = Number(request.headers['content-length'] ?? 0);
  if (len > 0 || request.headers['transfer-encoding'] === 'chunked') throw badRequest('A body is not expected with this request.');
}

/**
 * The image if it exists and the caller may see it; otherwise 404, as Glance hides what one cannot
 * see. Like Glance's database layer, a shared image is visible to its owner and its members only;
 * then `get_image` decides.
 */
export async function visibleImage(rt: { db: Database; policy: PolicyEnforcer }, request: FastifyRequest, id: string): Promise<ImageRecord> {
  const caller = callerOf(request);
  const image = await rt.db.images.get(id.toLowerCase());
  if (!image) throw imageNotFound(id);
  const member = image.visibility === 'shared' && image.owner !== caller.projectId ? await rt.db.images.membership(image.id, caller.projectId) : undefined;
  if (image.visibility === 'shared' && image.owner !== caller.projectId && !caller.isAdmin && !member) throw imageNotFound(id);
  if (!rt.policy.check('get_image', imageTarget(image, member ? { member: caller.projectId } : {}), credentials(caller))) throw imageNotFound(id);
  return image;
}

/** Enforce an image rule: 403 when the caller can see the image, 404 when not (Glance's ImageAPIPolicy). */
export function authorize(rt: { policy: PolicyEnforcer }, request: FastifyRequest, rule: string, image: ImageRecord): void {
  enforceImage(rt.policy, rule, policyImage(image), credentials(callerOf(request)));
}
