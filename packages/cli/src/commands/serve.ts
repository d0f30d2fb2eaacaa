import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { coreVersion } from '@glance-import/core';
import { createServer } from '@glance-import/server';
import { serviceOptions, type Command } from '../command.js';
import { tuneHeap } from '../heap-tuning.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { loadServiceConfig, type ServiceArgs } from '../service-config.js';

export interface ServeArgs extends ServiceArgs {
  host?: string;
  port?: string;
  'log-level'?: string;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

function logLevel(raw: string | undefined): string | undefined {
  if (raw !== undefined && !(LOG_LEVELS as readonly string[]).includes(raw))
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${raw}'`);
  return raw;
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
  const level = logLevel(args['log-level']);
  tuneHeap();
  const { config, root, dataDir, syncCommand } = await loadServiceConfig(args);
  const server = await createServer({
    config,
    dataDir,
    ...(root ? { root } : {}),
    ...(level ? { logLevel: level } : {}),
    database: { schema: 'current', syncCommand },
  });
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
  // Behind Keystone the data dir's tokens are not read; elsewhere they are (trusted headers fall back to them).
  const ownTokens = server.identity.mode !== 'keystone';
  if (ownTokens && (await db.tokens.count()) === 0) {
    freshToken = await db.tokens.create(
      { userId: 'admin', projectId: 'admin', roles: ['admin', 'member', 'reader'] },
      { description: 'created by serve on a fresh data dir' },
    );
    writeFileSync(tokenFile, `${freshToken}\n`, { mode: 0o600 });
    chmodSync(tokenFile, 0o600);
  }
  const rt = server.runtime;
  io.out(
    [
      `glance-import ${coreVersion()} serving the Image API on ${url}`,
      `  data:    ${dataDir} (database ${db.url}; staging ${rt.staging.dir})`,
      `  stores:  ${[...rt.stores.byId.values()].map((s) => `${s.id}${s.id === rt.stores.defaultId ? ' (default)' : ''}`).join(', ')}${rt.stores.multi ? '' : ' (single-store)'}`,
      `  config:  ${config.sources.length ? config.sources.join(', ') : '(defaults)'}`,
      `  plugins: ${rt.plugins.length ? rt.plugins.map((p) => p.name).join(', ') : '(none)'}`,
      ...(config.values.glance_import.console ? [`  console: ${url}/console/ (sign in with a token)`] : []),
      !ownTokens
        ? `  identity: ${server.identity.describe}`
        : freshToken
          ? `  admin token: ${freshToken}\n               (printed once; kept in ${tokenFile}, mode 600)`
          : `  admin token: in ${tokenFile}${existsSync(tokenFile) ? '' : ' (removed; create one with `glance-import token create`)'}`,
    ].join('\n'),
  );
  const reason = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    signal?.addEventListener('abort', () => resolve('abort'));
  });
  // A second signal while draining stops the running imports now (they revert); a third is Node's own.
  const hurry = () => server.runtime.imports.hurry();
  process.once('SIGINT', hurry);
  process.once('SIGTERM', hurry);
  try {
    await server.close({ reason });
  } finally {
    process.off('SIGINT', hurry);
    process.off('SIGTERM', hurry);
  }
  return EXIT.ok;
}

export const readAdminToken = (dataDir: string) => readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Serve the Image API (database from [database] connection, else SQLite under --data-dir)',
  description: [
    'A fresh database gets one admin token, printed once and kept in <data dir>/admin-token (mode 600).',
    'SIGINT or SIGTERM: new imports and uploads are refused (503) while reads still answer; running imports get',
    '[glance_import] shutdown_grace seconds to finish (default 30), then stop and revert. A second signal stops them now.',
    'Logs are JSON lines on stdout (pino); `| npx pino-pretty` makes them readable.',
  ].join('\n'),
  options: {
    ...serviceOptions,
    host: { type: 'string', value: 'ADDRESS', help: 'address to listen on (default: [DEFAULT] bind_host, 127.0.0.1)' },
    port: { type: 'string', value: 'N', help: 'port to listen on, 0 for any free one (default: [DEFAULT] bind_port, 9292)' },
    'log-level': {
      type: 'string',
      value: 'LEVEL',
      help: `log level: ${LOG_LEVELS.join(', ')} (default: info, debug with [DEFAULT] debug = true)`,
      complete: LOG_LEVELS,
    },
  },
  run: (v, _p, io) => serve(v as ServeArgs, io),
};
