import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@glance-import/core';
import { createServer, serverSchema, type GlanceServer } from '@glance-import/server';

// A real Image API for the CLI's unit tests: the server package on 127.0.0.1, a port from the OS,
// SQLite and a file store in a temp data dir.

export interface TestService {
  url: string;
  dataDir: string;
  server: GlanceServer;
  tokens: { admin: string; member: string };
  close(): Promise<void>;
}

export async function startService(ini: Record<string, Record<string, unknown>> = {}): Promise<TestService> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gi-cli-api-'));
  const config = await loadConfig({ searchFrom: false, overrides: ini, schema: serverSchema });
  const server = await createServer({ config, dataDir, logger: { level: 'silent' }, shutdownGraceMs: 5_000 });
  const url = await server.listen('127.0.0.1', 0);
  const t = server.runtime.db.tokens;
  const tokens = {
    admin: await t.create({ userId: 'admin', projectId: 'admin-project', roles: ['admin', 'member', 'reader'] }),
    member: await t.create({ userId: 'alice', projectId: 'p1', roles: ['member', 'reader'] }),
  };
  return {
    url,
    dataDir,
    server,
    tokens,
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
