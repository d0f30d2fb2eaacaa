import type { FastifyInstance } from 'fastify';
import type { Database } from '@glance-import/db';
import type { Metrics } from '../metrics.js';

export interface OpsRouteDeps {
  db: Database;
  metrics: Metrics;
}

/** Unauthenticated operations endpoints: liveness and Prometheus metrics. */
export function opsRoutes(app: FastifyInstance, d: OpsRouteDeps): void {
  app.get('/healthcheck', async (_request, reply) => {
    try {
      await d.db.driver.query('SELECT 1 AS ok');
      return reply.type('text/plain').send('OK');
    } catch {
      return reply.code(503).type('text/plain').send('DB unavailable');
    }
  });
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4').send(d.metrics.render()));
}
