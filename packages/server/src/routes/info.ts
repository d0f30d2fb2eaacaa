import type { PolicyEnforcer } from '@glance-import/policy';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../http/errors.js';
import { assertNoBody, callerOf } from '../http/guards.js';
import type { Imports } from '../import/service.js';
import type { Quotas } from '../quotas.js';
import type { StoreSet } from '../stores.js';

export interface InfoRouteDeps {
  policy: PolicyEnforcer;
  quotas: Quotas;
  stores: StoreSet;
  imports: Pick<Imports, 'enabled' | 'offered'>;
}

/** What this site offers: import methods, the caller's usage against its limits, the stores. */
export function infoRoutes(app: FastifyInstance, d: InfoRouteDeps): void {
  app.get('/v2/info/import', async (request) => {
    assertNoBody(request);
    if (!d.imports.enabled) throw notFound('Image import is not supported at this site.');
    return { 'import-methods': { description: 'Import methods available.', type: 'array', value: d.imports.offered } };
  });

  app.get('/v2/info/usage', async (request) => {
    assertNoBody(request);
    const project = callerOf(request).projectId;
    const usage = await d.quotas.usage(project);
    return { usage: Object.fromEntries(Object.entries(usage).map(([k, u]) => [k, { usage: u, limit: d.quotas.limit(k as keyof typeof usage) }])) };
  });

  app.get('/v2/info/stores', async (request) => {
    assertNoBody(request);
    if (!d.stores.multi) throw notFound('Multi backend is not supported at this site.');
    return {
      stores: [...d.stores.byId.values()].map((s) => ({
        id: s.id,
        ...(s.description ? { description: s.description } : {}),
        ...(s.id === d.stores.defaultId ? { default: 'true' } : {}),
        ...(s.readOnly ? { 'read-only': 'true' } : {}),
      })),
    };
  });

  app.get('/v2/info/stores/detail', async (request) => {
    assertNoBody(request);
    if (!d.stores.multi) throw notFound('Multi backend is not supported at this site.');
    d.policy.enforce('stores_info_detail', {}, { user_id: callerOf(request).userId, project_id: callerOf(request).projectId, roles: callerOf(request).roles });
    return {
      stores: [...d.stores.byId.values()].map((s) => ({
        id: s.id,
        type: s.type,
        weight: s.weight,
        ...(s.description ? { description: s.description } : {}),
        ...(s.id === d.stores.defaultId ? { default: 'true' } : {}),
        ...(s.readOnly ? { 'read-only': 'true' } : {}),
        // Glance's properties for the store's type, as the driver gives them (never credentials).
        properties: s.properties ?? {},
      })),
    };
  });
}
