import type { Database } from '@glance-import/db';
import type { PolicyEnforcer } from '@glance-import/policy';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../http/errors.js';
import { assertNoBody, authorize, callerOf, visibleImage } from '../http/guards.js';
import { parseImportBody } from '../import/request.js';
import type { Imports } from '../import/service.js';
import { RELAYED_HEADER, relayToStageHost } from '../import/stage-host.js';
import { imageTaskRow } from '../views/task.js';

type Params = { id: string };

export interface ImportRouteDeps {
  db: Database;
  policy: PolicyEnforcer;
  imports: Imports;
  /** This node's URL as other nodes reach it; a relayed import names it. */
  selfUrl: string | undefined;
}

/** The import call (parse, then the import service does the rest) and an image's import tasks. */
export function importRoutes(app: FastifyInstance, d: ImportRouteDeps): void {
  app.post<{ Params: Params }>('/v2/images/:id/import', async (request, reply) => {
    if (!d.imports.enabled) throw notFound('Image import is not supported at this site.');
    const req = parseImportBody(request.body, d.imports.offered);
    const image = await visibleImage(d, request, request.params.id);
    const outcome = await d.imports.start({
      image,
      request: req,
      caller: callerOf(request),
      requestId: request.id,
      storeHeader: request.headers['x-image-meta-store'] as string | undefined,
      authorize: (rule, target) => authorize(d, request, rule, target),
      relayed: request.headers[RELAYED_HEADER] !== undefined,
      // The body as the caller sent it (Glance replays its JSON), with the caller's own headers.
      relay: (host) =>
        relayToStageHost(
          host,
          { method: 'POST', path: request.url, headers: request.headers, body: JSON.stringify(request.body) },
          { selfUrl: d.selfUrl, imageId: image.id },
        ),
    });
    if (outcome.relayed) {
      // Glance returns the stage host's answer and request id as its own.
      const { status, headers, body } = outcome.relayed;
      return reply.code(status).headers(headers).send(body);
    }
    return reply.code(202).send();
  });

  app.get<{ Params: Params }>('/v2/images/:id/tasks', async (request) => {
    assertNoBody(request);
    const image = await visibleImage(d, request, request.params.id);
    return { tasks: (await d.db.tasks.listForImage(image.id)).map(imageTaskRow) };
  });
}
