import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CONSOLE_CSP } from '@glance-import/console';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness } from '../testing/harness.fixture.js';
import { consoleRoutes } from './console.js';

let dir: string;
let app: FastifyInstance;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gi-console-'));
});
afterEach(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function served(files: Record<string, string>): Promise<FastifyInstance> {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  app = Fastify({ routerOptions: { ignoreTrailingSlash: true } }) as unknown as FastifyInstance;
  consoleRoutes(app, { dir, log: pino({ level: 'silent' }) });
  return app;
}

describe('the console route', () => {
  it('serves the page at /console and /console/, and its files, each with the CSP', async () => {
    await served({ 'index.html': '<!doctype html><title>c</title>', 'assets/app-1a2b.js': 'export {}', 'favicon.svg': '<svg/>' });
    for (const url of ['/console', '/console/', '/console/index.html']) {
      const r = await app.inject({ url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(r.headers['content-security-policy']).toBe(CONSOLE_CSP);
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['x-frame-options']).toBe('DENY');
    }
    const js = await app.inject({ url: '/console/assets/app-1a2b.js' });
    expect(js.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
      'x-content-type-options': 'nosniff',
    });
    expect((await app.inject({ url: '/console/favicon.svg' })).headers['content-type']).toBe('image/svg+xml');
  });

  it('serves only the files it read at start: anything else, a path escaping the folder included, is 404', async () => {
    await served({ 'index.html': 'i' });
    writeFileSync(path.join(dir, 'later.js'), 'x');
    for (const url of ['/console/later.js', '/console/../package.json', '/console/%2e%2e/%2e%2e/etc/passwd', '/console/assets/']) {
      expect((await app.inject({ url })).statusCode, url).toBe(404);
    }
  });

  it('a console that was not built answers 503 and says how to build it', async () => {
    await served({});
    const r = await app.inject({ url: '/console/' });
    expect(r.statusCode).toBe(503);
    expect(r.body).toContain('Run `pnpm build`');
  });
});

describe('the console in the server', () => {
  it('needs no token; [glance_import] console = false leaves /console not found', async () => {
    const on = await harness();
    const off = await harness({ ini: { glance_import: { console: 'false' } } });
    try {
      expect([200, 503]).toContain((await on.req('GET', '/console/', { token: null })).status);
      const r = await off.req('GET', '/console/', { token: null });
      expect(r.status).toBe(404);
      expect(r.headers['x-glance-import-error-code']).toBe('GI_API_NOT_FOUND');
    } finally {
      await on.close();
      await off.close();
    }
  });
});
