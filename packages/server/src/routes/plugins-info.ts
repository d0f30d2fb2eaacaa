import type { PolicyEnforcer } from '@glance-import/policy';
import type { FastifyInstance } from 'fastify';
import { assertNoBody, callerOf, credentials } from '../http/guards.js';
import type { PluginsReport } from '../plugins-report.js';

export interface PluginsInfoRouteDeps {
  policy: PolicyEnforcer;
  /** Resolved once at start-up: the plugins cannot change while the server runs. */
  report: PluginsReport;
}

/** Beyond Glance: the import plugins, their order and load errors (`get_import_plugins`, admin by default). */
export function pluginsInfoRoutes(app: FastifyInstance, d: PluginsInfoRouteDeps): void {
  app.get('/v2/info/plugins', async (request) => {
    assertNoBody(request);
    d.policy.enforce('get_import_plugins', {}, credentials(callerOf(request)));
    return d.report;
  });
}
