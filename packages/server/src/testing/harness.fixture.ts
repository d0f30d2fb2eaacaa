import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EntryPointRegistry, IMPORT_PLUGINS_NAMESPACE, loadConfig } from '@glance-import/core';
import type { Logger } from 'pino';
import { createServer, type GlanceServer } from '../app.js';
import type { Resolver } from '../methods/uri-filter.js';
import { serverSchema } from '../options.js';

export interface Harness {
  server: GlanceServer;
  dataDir: string;
  tokens: { admin: string; member: string; other: string; reader: string };
  /** inject() with a token and JSON handling. */
  req(
    method: string,
    url: string,
    o?: { token?: string | null; body?: unknown; headers?: Record<string, string>; payload?: Buffer | string },
  ): Promise<{ status: number; json: any; text: string; headers: Record<string, unknown> }>;
  /** Stop the server and remove its data dir. */
  close(): Promise<void>;
}

/** A server on a temp data dir with tokens for an admin, a member of p1, a member of p2 and a reader of p1. */
export async function harness(
  o: {
    ini?: Record<string, Record<string, unknown>>;
    plugins?: Record<string, unknown>;
    storeDrivers?: Record<string, unknown>;
    logger?: Logger;
    resolve?: Resolver;
  } = {},
): Promise<Harness> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gi-server-'));
  // Store directories written as {data} land in this test's data dir.
  const ini = JSON.parse(JSON.stringify(o.ini ?? {}).replaceAll('{data}', dataDir)) as Record<string, Record<string, unknown>>;
  const config = await loadConfig({ searchFrom: false, overrides: ini, schema: serverSchema });
  const registry = EntryPointRegistry.fromNamespaces({ [IMPORT_PLUGINS_NAMESPACE]: o.plugins ?? {}, 'glance.store.drivers': o.storeDrivers ?? {} });
  const server = await createServer({
    config,
    dataDir,
    registry,
    logger: o.logger ?? { level: process.env.GI_TEST_LOG ?? 'silent' },
    ...(o.resolve ? { resolve: o.resolve } : {}),
  });
  const t = server.runtime.db.tokens;
  const tokens = {
    admin: await t.create({ userId: 'admin', projectId: 'admin-project', roles: ['admin', 'member', 'reader'] }),
    member: await t.create({ userId: 'alice', projectId: 'p1', roles: ['member', 'reader'] }),
    other: await t.create({ userId: 'bob', projectId: 'p2', roles: ['member', 'reader'] }),
    reader: await t.create({ userId: 'rita', projectId: 'p1', roles: ['reader'] }),
  };
  const h: Harness = {
    server,
    dataDir,
    tokens,
    async req(method, url, r = {}) {
      const headers: Record<string, string> = { ...(r.token === null ? {} : { 'x-auth-token': r.token ?? tokens.member }), ...r.headers };
      let payload: Buffer | string | undefined = r.payload;
      if (r.body !== undefined) {
        payload = JSON.stringify(r.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await server.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
      let json: unknown;
      try {
        json = res.body ? JSON.parse(res.body) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, json, text: res.body, headers: res.headers };
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}
