import { giError } from '../errors.js';
import type { ImageChanges, ImageColumns, ImageRecord } from '@glance-import/db';
import { badRequest, conflict, forbidden } from '../http/errors.js';
import { BASE_ATTRIBUTES, isReservedName, PATCH_READ_ONLY } from './attributes.js';
import { checkTagQuota, validateAttribute, validateExtraProperty, type Formats } from './validate.js';

export const PATCH_V21 = 'application/openstack-images-v2.1-json-patch';
export const PATCH_V20 = 'application/openstack-images-v2.0-json-patch';

interface Op {
  op: 'add' | 'remove' | 'replace';
  key: string;
  value?: unknown;
}

function parsePointer(path: unknown): string {
  if (typeof path !== 'string' || !path.startsWith('/')) throw badRequest(`Pointer \`${String(path)}\` does not start with "/".`);
  if (path.includes('//')) throw badRequest(`Pointer \`${path}\` contains adjacent "/".`);
  if (path.length > 1 && path.endsWith('/')) throw badRequest(`Pointer \`${path}\` end with "/".`);
  if (/~(?![01])/.test(path)) throw badRequest(`Pointer \`${path}\` contains "~" not part of a recognized escape sequence.`);
  const parts = path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (parts.length > 1 && parts[0] !== 'locations') throw badRequest(`Nested paths are not allowed: ${path}`);
  return parts[0]!;
}

/** Read a body in either JSON-patch dialect Glance accepts into a list of operations. */
export function parsePatch(body: unknown, contentType: string): Op[] {
  if (!Array.isArray(body)) throw badRequest('Request body must be a JSON array of operation objects.');
  return body.map((raw): Op => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw badRequest('Operations must be JSON objects.');
    const o = raw as Record<string, unknown>;
    let op: string;
    let path: unknown;
    if (contentType === PATCH_V21) {
      op = String(o.op ?? '');
      if (!('op' in o)) throw badRequest("Unable to find 'op' in JSON Schema change");
      if (!('path' in o)) throw badRequest("Unable to find 'path' in JSON Schema change");
      path = o.path;
    } else {
      const found = ['add', 'remove', 'replace'].filter((k) => k in o);
      if (found.length !== 1) throw badRequest('Operation objects must contain exactly one member named "add", "remove", or "replace".');
      op = found[0]!;
      path = o[op];
    }
    if (!['add', 'remove', 'replace'].includes(op))
      throw badRequest(`Invalid operation: \`${op}\`: Operation objects must contain exactly one member named "add", "remove", or "replace".`);
    if (op !== 'remove' && !('value' in o)) throw badRequest('Operation "' + op + '" requires a member named "value".');
    return { op: op as Op['op'], key: parsePointer(path), ...(op !== 'remove' ? { value: o.value } : {}) };
  });
}

export interface PatchRules {
  formats: Formats;
  isAdmin: boolean;
  propertyQuota: number;
  tagQuota: number;
  /** v2.0 `add` of an existing property is a conflict; v2.1 `add` overwrites. */
  dialect: typeof PATCH_V20 | typeof PATCH_V21;
}

/** Turn operations into changes of one image, enforcing Glance's attribute rules. */
export function planPatch(image: ImageRecord, ops: readonly Op[], rules: PatchRules): ImageChanges {
  const columns: ImageColumns = {};
  const props: Record<string, string | null> = { ...image.properties };
  let tags: string[] | undefined;
  for (const { op, key, value } of ops) {
    if (isReservedName(key)) throw forbidden(`Attribute '${key}' is reserved.`);
    if (PATCH_READ_ONLY.has(key)) throw forbidden(`Attribute '${key}' is read-only.`);
    if (key === 'locations') throw forbidden("It's not allowed to add or replace locations if locations are invisible.");
    if (BASE_ATTRIBUTES.has(key)) {
      if (op === 'remove') throw forbidden(`Property ${key} may not be removed.`);
      const v = validateAttribute(key, value, rules.formats);
      if (key === 'tags') {
        tags = v as string[];
        continue;
      }
      if ((key === 'disk_format' || key === 'container_format') && !['queued', 'importing'].includes(image.status) && v !== image[key]) {
        throw forbidden(`Attribute ${key} can be only replaced for a queued image.`);
      }
      if (key === 'owner' && !rules.isAdmin && v !== image.owner) throw forbidden("Attribute 'owner' can only be changed by an admin.");
      (columns as Record<string, unknown>)[key] = v;
      continue;
    }
    const exists = props[key] !== undefined && props[key] !== null;
    if (op === 'remove') {
      if (!exists) throw conflict(`Property ${key} does not exist.`);
      props[key] = null;
    } else {
      if (op === 'replace' && !exists) throw conflict(`Property ${key} does not exist.`);
      if (op === 'add' && exists && rules.dialect === PATCH_V20) throw conflict(`Property ${key} already present.`);
      props[key] = validateExtraProperty(key, value);
    }
  }
  const kept = Object.values(props).filter((v) => v !== null).length;
  if (rules.propertyQuota >= 0 && kept > rules.propertyQuota && kept > Object.keys(image.properties).length) {
    throw giError('GI_API_TOO_LARGE', { message: `Attempted: ${kept}, Maximum: ${rules.propertyQuota}` });
  }
  if (tags) checkTagQuota(new Set(tags).size, rules.tagQuota);
  const setProperties: Record<string, string> = {};
  const removeProperties: string[] = [];
  for (const [k, v] of Object.entries(props)) {
    if (v === null) {
      if (k in image.properties) removeProperties.push(k);
    } else if (image.properties[k] !== v) setProperties[k] = v;
  }
  return { columns, setProperties, removeProperties, ...(tags ? { tags } : {}) };
}
