import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.js';

/** Unauthenticated operations endpoints: liveness and Prometheus metrics. */
export function opsRoutes(app: FastifyInstance, rt: Runtime): void {
  app.get('/healthcheck', async (_request, reply) => {
    try {
      await rt.db.driver.query('SELECT 1 AS ok');
      return reply.type('text/plain').send('OK');
    } catch {
      return reply.code(503).type('text/plain').send('DB unavailable');
    }
  });
  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4').send(rt.metrics.render()));
}
