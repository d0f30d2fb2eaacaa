import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { coreVersion } from '@glance-import/core';
import { createServer } from '@glance-import/server';
import { EXIT, UsageError, type Io } from '../io.js';
import { loadServiceConfig, type ServiceArgs } from '../service-config.js';

export interface ServeArgs extends ServiceArgs {
  host?: string;
  port?: string;
}

export function parsePort(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new UsageError(`--port must be a port number (0-65535), got '${raw}'`);
  return Number(raw);
}

/**
 * `glance-import serve`: the Image API on the database `[database] connection` names (the embedded
 * default: SQLite in the data dir). A database not migrated to this version is refused with the
 * `db sync` command to run; only an empty SQLite database is created. A fresh database gets one
 * admin token, printed once and kept in <data dir>/admin-token (mode 600).
 */
export async function serve(args: ServeArgs, io: Io, signal?: AbortSignal): Promise<number> {
  const port = parsePort(args.port);
  const { config, root, dataDir, syncCommand } = await loadServiceConfig(args);
  const server = await createServer({ config, dataDir, ...(root ? { root } : {}), database: { schema: 'current', syncCommand } });
  const db = server.runtime.db;
  const host = args.host ?? config.values.DEFAULT.bind_host;
  let url: string;
  try {
    url = await server.listen(host, port ?? config.values.DEFAULT.bind_port);
  } catch (e) {
    await server.close();
    throw e;
  }
  // Only once the service is up: a start that fails must not use up the token it would print.
  const tokenFile = path.join(dataDir, 'admin-token');
  let freshToken: string | undefined;
  if ((await db.tokens.count()) === 0) {
    freshToken = await db.tokens.create({ userId: 'admin', projectId: 'admin', roles: ['admin', 'member', 'reader'] }, { description: 'created by serve on a fresh data dir' });
    writeFileSync(tokenFile, `${freshToken}\n`, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
  }
  const rt = server.runtime;
  io.out([
    `glance-import ${coreVersion()} serving the Image API on ${url}`,
    `  data:    ${dataDir} (database ${db.url}; staging ${rt.staging.dir})`,
    `  stores:  ${[...rt.stores.byId.values()].map((s) => `${s.id}${s.id === rt.stores.defaultId ? ' (default)' : ''}`).join(', ')}${rt.stores.multi ? '' : ' (single-store)'}`,
    `  config:  ${config.sources.length ? config.sources.join(', ') : '(defaults)'}`,
    `  plugins: ${rt.plugins.length ? rt.plugins.map((p) => p.name).join(', ') : '(none)'}`,
    ...(config.values.glance_import.console ? [`  console: ${url}/console/ (sign in with a token)`] : []),
    freshToken
      ? `  admin token: ${freshToken}\n               (printed once; kept in ${tokenFile}, mode 600)`
      : `  admin token: in ${tokenFile}${existsSync(tokenFile) ? '' : ' (removed; create one with `glance-import token create`)'}`,
  ].join('\n'));
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    signal?.addEventListener('abort', stop);
  });
  await server.close();
  return EXIT.ok;
}

export const readAdminToken = (dataDir: string) => readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
