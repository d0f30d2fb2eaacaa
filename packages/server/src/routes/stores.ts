import { isGlanceImportError } from '@glance-import/core';
import type { Database } from '@glance-import/db';
import type { PolicyEnforcer } from '@glance-import/policy';
import type { FastifyInstance } from 'fastify';
import { conflict, forbidden, notFound } from '../http/errors.js';
import { assertNoBody, authorize, visibleImage } from '../http/guards.js';
import type { StoreSet } from '../stores.js';

export interface StoreRouteDeps {
  db: Database;
  policy: PolicyEnforcer;
  stores: StoreSet;
}

export function storeRoutes(app: FastifyInstance, d: StoreRouteDeps): void {
  // 2.10: drop one store's copy of an image. Checks and answers in Glance's order (delete_from_store).
  app.delete<{ Params: { store: string; id: string } }>('/v2/stores/:store/:id', async (request, reply) => {
    assertNoBody(request);
    if (!d.stores.multi) throw notFound('Multi backend is not supported at this site.');
    const { store, id } = request.params;
    if (!d.stores.byId.has(store)) throw conflict(`The selected store ${store} is not available on this node.`);
    const image = await visibleImage(d, request, id).catch((e: unknown) => {
      throw isGlanceImportError(e, 'GI_API_NOT_FOUND') ? notFound(`Failed to find image ${id}`) : e;
    });
    authorize(d, request, 'get_image_location', image);
    authorize(d, request, 'delete_image_location', image);
    if (image.status !== 'active') throw conflict("It's not allowed to remove image data from store if image status is not 'active'");
    const active = image.locations.filter((l) => l.status === 'active');
    // Glance refuses to drop the last copy before it looks at which store holds it.
    if (active.length === 1) throw forbidden('Cannot delete image data from the only store containing it. Consider deleting the image instead.');
    const here = active.filter((l) => l.store === store);
    if (here.length === 0) throw notFound(`Image ${image.id} is not stored in store ${store}.`);
    for (const loc of here) {
      await d.stores.byId.get(store)!.delete(loc.url);
      await d.db.images.removeLocation(image.id, loc.id);
    }
    return reply.code(204).send();
  });
}
