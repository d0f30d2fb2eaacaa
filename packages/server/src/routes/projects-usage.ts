import type { Database } from '@glance-import/db';
import type { PolicyEnforcer } from '@glance-import/policy';
import type { FastifyInstance } from 'fastify';
import { assertNoBody, callerOf, credentials } from '../http/guards.js';
import type { Quotas } from '../quotas.js';

export interface ProjectsUsageRouteDeps {
  db: Pick<Database, 'images'>;
  policy: PolicyEnforcer;
  quotas: Pick<Quotas, 'enabled' | 'limit' | 'usage'>;
}

/**
 * Beyond Glance: every project's usage against its limits, as `/v2/info/usage` answers a project
 * its own (`get_projects_usage`, admin by default). `quotas` says whether limits are enforced.
 */
export function projectsUsageRoutes(app: FastifyInstance, d: ProjectsUsageRouteDeps): void {
  app.get('/v2/info/usage/projects', async (request) => {
    assertNoBody(request);
    d.policy.enforce('get_projects_usage', {}, credentials(callerOf(request)));
    const projects = await Promise.all(
      (await d.db.images.owners()).map(async (project) => {
        const usage = await d.quotas.usage(project);
        return {
          project_id: project,
          usage: Object.fromEntries(Object.entries(usage).map(([k, u]) => [k, { usage: u, limit: d.quotas.limit(k as keyof typeof usage) }])),
        };
      }),
    );
    return { quotas: d.quotas.enabled, projects };
  });
}
