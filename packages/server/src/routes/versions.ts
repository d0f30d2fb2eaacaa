import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { StoreSet } from '../stores.js';
import type { ServerConfig } from '../options.js';

/** What the versions a site lists depend on. */
export interface VersionDeps {
  config: ServerConfig;
  stores: Pick<StoreSet, 'multi'>;
}

/** Versions as Zed 25.1.0 lists them without an image cache: 2.15 current; multi-store adds 2.13–2.8. */
export function versionList(d: VersionDeps): Array<{ id: string; status: string }> {
  const ids: string[] = [];
  if (d.config.values.DEFAULT.enable_image_import) {
    ids.push('2.15');
    if (d.stores.multi) ids.push('2.13', '2.12', '2.11', '2.10', '2.9', '2.8');
    else ids.push('2.9');
    ids.push('2.7', '2.6');
  }
  ids.push('2.5', '2.4', '2.3', '2.2', '2.1', '2.0');
  return ids.map((id, i) => ({ id: `v${id}`, status: i === 0 ? 'CURRENT' : 'SUPPORTED' }));
}

/** Path prefixes a client may use instead of /v2 (URL versioning); all reach the same API. */
export function versionPrefixes(d: VersionDeps): Set<string> {
  return new Set(['v2', ...versionList(d).map((v) => v.id)]);
}

/** The versions document; its links use `public_endpoint`, else the URL the request came to. */
export function versionsDocument(d: VersionDeps, request: FastifyRequest): { versions: Array<Record<string, unknown>> } {
  const base = d.config.values.DEFAULT.public_endpoint?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
  return { versions: versionList(d).map((v) => ({ ...v, links: [{ rel: 'self', href: `${base}/v2/` }] })) };
}

export function versionRoutes(app: FastifyInstance, d: VersionDeps): void {
  const doc = (request: FastifyRequest) => versionsDocument(d, request);
  app.get('/versions', async (request) => doc(request));
  const multiple = async (request: FastifyRequest, reply: FastifyReply) => reply.code(300).send(doc(request));
  app.get('/', multiple);
  app.get('/v2', multiple);
}
