import type { FastifyInstance } from 'fastify';
import { assertNoBody } from '../http/guards.js';
import type { Formats } from '../images/validate.js';
import { collectionSchema, imageSchema, memberSchema, taskSchema } from '../views/schemas.js';

export interface SchemaRouteDeps {
  formats: Formats;
}

export function schemaRoutes(app: FastifyInstance, d: SchemaRouteDeps): void {
  const image = () => imageSchema(d.formats);
  app.get('/v2/schemas/image', async (request) => {
    assertNoBody(request);
    return image();
  });
  app.get('/v2/schemas/images', async (request) => {
    assertNoBody(request);
    return collectionSchema('images', image());
  });
  app.get('/v2/schemas/member', async (request) => {
    assertNoBody(request);
    return memberSchema();
  });
  app.get('/v2/schemas/members', async (request) => {
    assertNoBody(request);
    return collectionSchema('members', memberSchema());
  });
  app.get('/v2/schemas/task', async (request) => {
    assertNoBody(request);
    return taskSchema();
  });
  app.get('/v2/schemas/tasks', async (request) => {
    assertNoBody(request);
    const t = taskSchema() as { properties: Record<string, unknown> };
    const { input: _i, result: _r, message: _m, ...stub } = t.properties;
    return collectionSchema('tasks', { ...t, properties: stub });
  });
}
