import type { FastifyInstance } from 'fastify';
import type { Database } from '@glance-import/db';
import { giError } from '../errors.js';
import { callerOf } from '../http/guards.js';
import type { Metrics } from '../metrics.js';

export interface OpsRouteDeps {
  db: Database;
  metrics: Metrics;
  /** `[glance_import] metrics_access`: open, any token, or admin. */
  access: string;
}

/** Operations endpoints: liveness (open) and Prometheus metrics (as `metrics_access` says). */
export function opsRoutes(app: FastifyInstance, d: OpsRouteDeps): void {
  app.get('/healthcheck', async (_request, reply) => {
    try {
      await d.db.driver.query('SELECT 1 AS ok');
      return reply.type('text/plain').send('OK');
    } catch {
      return reply.code(503).type('text/plain').send('DB unavailable');
    }
  });
  app.get('/metrics', async (request, reply) => {
    if (d.access === 'admin' && !callerOf(request).isAdmin) {
      throw giError('GI_API_FORBIDDEN', { message: 'Metrics are readable by admins only ([glance_import] metrics_access = admin).' });
    }
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(d.metrics.render());
  });
}
