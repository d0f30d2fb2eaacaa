import { giError } from './errors.js';
import type { Credentials } from './credentials.js';
import type { PolicyEnforcer } from './enforcer.js';
import type { Target } from './evaluate.js';

/** An image as the service holds it: attributes, and extra properties flat or in a bag. */
export interface ImageLike {
  id?: string;
  owner?: string | null;
  visibility?: string;
  /** The caller's project when it reached a shared image as a member (Glance's `image.member`). */
  member?: string | null;
  extraProperties?: Readonly<Record<string, unknown>>;
  extra_properties?: Readonly<Record<string, unknown>>;
  /** The same bag, as a service's image record names it. */
  properties?: Readonly<Record<string, unknown>>;
  [k: string]: unknown;
}

const BAGS = ['extraProperties', 'extra_properties', 'properties'] as const;
// Glance leaves locations out of the target: they are not plain values.
const LEFT_OUT = new Set<string>([...BAGS, 'locations']);

/**
 * Glance's ImageTarget as a plain object: attributes win over extra properties of the same name,
 * `project_id` is the owner, `id` and `image_id` the image id, `member_id` the member.
 * A missing owner or member reads as `None`, as on a Glance image; the checks on it then fail.
 */
export function imageTarget(image: ImageLike, options: { member?: string | null } = {}): Target {
  const target: Target = {};
  for (const bag of BAGS) if (image[bag]) Object.assign(target, image[bag]);
  // for…in, not Object.entries: a list page builds a target per image, and the pairs were garbage.
  for (const key in image) if (Object.hasOwn(image, key) && !LEFT_OUT.has(key)) target[key] = image[key];
  target['project_id'] = image.owner ?? null;
  target['owner'] = image.owner ?? null;
  target['image_id'] = image.id ?? null;
  target['id'] = image.id ?? null;
  target['member_id'] = options.member ?? image.member ?? null;
  return target;
}

/** The target of `add_image`, before the image exists: the proposed owner (default: the caller's project). */
export function newImageTarget(proposed: { owner?: string | null; visibility?: string }, creds: Credentials): Target {
  const owner = proposed.owner ?? creds.project_id;
  return { project_id: owner, owner, visibility: proposed.visibility ?? 'private' };
}

/**
 * Enforce an image rule the way Glance's ImageAPIPolicy does: a caller who may not see the image
 * (fails `get_image`) gets GI_POLICY_HIDDEN (404), so its existence does not leak; a caller who may
 * see it gets GI_POLICY_FORBIDDEN (403).
 */
export function enforceImage(enforcer: PolicyEnforcer, rule: string, image: ImageLike, creds: Credentials): void {
  const target = imageTarget(image);
  if (enforcer.check(rule, target, creds)) return;
  if (!enforcer.check('get_image', target, creds)) {
    throw giError('GI_POLICY_HIDDEN', { rule, image: image.id ?? '' });
  }
  throw giError('GI_POLICY_FORBIDDEN', { rule });
}

/** Setting visibility public or community has its own rule (403, never hidden), as in Glance. */
export function enforceVisibility(enforcer: PolicyEnforcer, visibility: string | undefined, target: Target, creds: Credentials): void {
  if (visibility === 'public') enforcer.enforce('publicize_image', target, creds);
  else if (visibility === 'community') enforcer.enforce('communitize_image', target, creds);
}
