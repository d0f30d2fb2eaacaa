import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONSOLE_CSP } from '@glance-import/console';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';

export interface ConsoleRouteDeps {
  /** The built console (`consoleDir()` of @glance-import/console). */
  dir: string;
  log: Logger;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** `/console` and everything below it: static files, served without a token (the page asks for one). */
export const isConsolePath = (url: string): boolean => url === '/console' || url.startsWith('/console/');

interface StaticFile {
  body: Buffer;
  type: string;
  /** Vite names built assets by their content hash: they never change under the same name. */
  immutable: boolean;
}

/** Every file of the built console, read once: nothing outside this list is ever served. */
function readConsole(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(path.join(dir, 'index.html'))) return files;
  for (const rel of readdirSync(dir, { recursive: true }).map(String)) {
    const full = path.join(dir, rel);
    const type = TYPES[path.extname(rel)];
    if (!type) continue;
    files.set(rel.split(path.sep).join('/'), { body: readFileSync(full), type, immutable: rel.startsWith(`assets${path.sep}`) });
  }
  return files;
}

function send(reply: FastifyReply, file: StaticFile): FastifyReply {
  return reply
    .header('Content-Security-Policy', CONSOLE_CSP)
    .header('X-Content-Type-Options', 'nosniff')
    .header('X-Frame-Options', 'DENY')
    .header('Referrer-Policy', 'no-referrer')
    .header('Cross-Origin-Opener-Policy', 'same-origin')
    .header('Cache-Control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .type(file.type)
    .send(file.body);
}

/**
 * The operator console at `/console/` (its pages live in the URL fragment, so one page serves them
 * all). Every answer carries the console's Content-Security-Policy. When the console was not built,
 * `/console` says how to build it instead of failing the server.
 */
export function consoleRoutes(app: FastifyInstance, d: ConsoleRouteDeps): void {
  const files = readConsole(d.dir);
  if (!files.size) d.log.warn({ dir: d.dir }, 'the console is not built (run `pnpm build`); /console answers 503');
  const notBuilt = (reply: FastifyReply) =>
    reply
      .code(503)
      .header('Content-Security-Policy', CONSOLE_CSP)
      .type('text/plain; charset=utf-8')
      .send(`The console is not built: ${d.dir} has no index.html. Run \`pnpm build\`.\n`);

  // ignoreTrailingSlash: '/console' and '/console/' are this one route.
  app.get('/console', async (_request, reply) => (files.size ? send(reply, files.get('index.html')!) : notBuilt(reply)));
  app.get<{ Params: { '*': string } }>('/console/*', async (request, reply) => {
    if (!files.size) return notBuilt(reply);
    const file = files.get(request.params['*'] || 'index.html');
    if (!file) return reply.code(404).header('Content-Security-Policy', CONSOLE_CSP).type('text/plain; charset=utf-8').send('Not found.\n');
    return send(reply, file);
  });
}
