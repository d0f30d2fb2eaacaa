import type { ImportRequest } from '@glance-import/core';
import type { ImageRecord } from '@glance-import/db';
import { badRequest, conflict } from '../http/errors.js';
import type { ImportMethod } from '../methods/index.js';
import type { StoreSet } from '../stores.js';

/** Glance checks only these fields of the import body, in this order; unknown keys are ignored (§1.8). */
export function parseImportBody(body: unknown, enabledMethods: readonly string[]): ImportRequest {
  if (body === undefined || body === null || body === '') throw badRequest('Body expected in request.');
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('Import request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  const method = b.method;
  if (method === undefined || method === null) throw badRequest("Import request requires a 'method' field.");
  if (typeof method !== 'object' || Array.isArray(method)) throw badRequest("Import request 'method' must be an object.");
  const name = (method as Record<string, unknown>).name;
  if (name === undefined || name === null) throw badRequest("Import request requires a 'name' field.");
  if (typeof name !== 'string' || !enabledMethods.includes(name)) throw badRequest(`Unknown import method name '${String(name)}'.`);
  for (const k of ['all_stores_must_succeed', 'all_stores'] as const) {
    if (k in b && typeof b[k] !== 'boolean') throw badRequest(`'${k}' must be boolean value only`);
  }
  if ('stores' in b && (!Array.isArray(b.stores) || b.stores.some((s) => typeof s !== 'string')))
    throw badRequest("'stores' must be a list of store identifiers");
  const m = method as Record<string, unknown>;
  const str = (k: string) => (typeof m[k] === 'string' ? { [k]: m[k] as string } : {});
  return {
    method: { name, ...str('uri'), ...str('glance_image_id'), ...str('glance_region'), ...str('glance_service_interface') },
    ...(Array.isArray(b.stores) ? { stores: b.stores as string[] } : {}),
    ...(typeof b.all_stores === 'boolean' ? { all_stores: b.all_stores } : {}),
    ...(typeof b.all_stores_must_succeed === 'boolean' ? { all_stores_must_succeed: b.all_stores_must_succeed } : {}),
  };
}

/** The status rules of an import call (409s), in Glance's order. */
export function checkImportStatus(image: ImageRecord, method: ImportMethod): void {
  if (image.status !== method.requiredStatus)
    throw conflict(image.status === 'active' ? 'Image with status active cannot be target for import' : method.wrongStatus);
  if (!image.container_format) throw conflict("'container_format' needs to be set before import");
  if (!image.disk_format) throw conflict("'disk_format' needs to be set before import");
}

/** Which stores an import writes to (multi-store), with Glance's 400/409 answers. */
export function resolveTargetStores(set: StoreSet, method: ImportMethod, req: ImportRequest, image: ImageRecord, storeHeader: string | undefined): string[] {
  if (!set.multi) {
    if (req.all_stores_must_succeed === false) throw badRequest('All_stores_must_succeed can only be set with enabled_backends');
    return [set.defaultId];
  }
  if (req.all_stores && (req.stores || storeHeader)) throw badRequest("All_stores parameter can't be used with x-image-meta-store header or stores parameter");
  if (req.stores && storeHeader) throw badRequest("Stores parameter and x-image-meta-store header can't be both specified");
  const writable = [...set.byId.values()].filter((s) => !s.readOnly).map((s) => s.id);
  let stores = req.all_stores ? writable : (req.stores ?? (storeHeader ? [storeHeader] : [set.defaultId]));
  for (const s of stores) {
    if (!set.byId.has(s)) throw conflict(`Store for identifier ${s} not found`);
    if (set.byId.get(s)!.readOnly) throw conflict(`Store ${s} is read only`);
  }
  const held = new Set(image.locations.filter((l) => l.status === 'active').map((l) => l.store));
  if (method.copiesActiveImage) {
    if (req.all_stores) stores = stores.filter((s) => !held.has(s));
    else for (const s of stores) if (held.has(s)) throw badRequest(`Image is already present at store '${s}'`);
  }
  return [...new Set(stores)];
}
