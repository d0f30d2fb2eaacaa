import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { coreVersion, findHostRoot, isGlanceImportError, loadConfig } from '@glance-import/core';
import { openDatabase } from '@glance-import/db';
import { createServer } from '@glance-import/server';
import { EXIT, UsageError, type Io } from '../io.js';

export interface ServeArgs {
  'data-dir'?: string;
  host?: string;
  port?: string;
  'config-file'?: string[];
  root?: string;
}

export const DEFAULT_DATA_DIR = 'data';

export function parsePort(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) throw new UsageError(`--port must be a port number (0-65535), got '${raw}'`);
  return Number(raw);
}

/**
 * The host application (where plugins are declared): --root, else the nearest package.json at or
 * above the working directory. Scripts start the service from anywhere: without a host, only a
 * config that names import plugins fails (when they cannot be found).
 */
function hostRoot(explicit: string | undefined): string | undefined {
  if (explicit !== undefined) return findHostRoot(explicit);
  try {
    return findHostRoot(process.cwd());
  } catch (e) {
    if (isGlanceImportError(e, 'GI_REGISTRY_HOST_NOT_FOUND')) return undefined;
    throw e;
  }
}

/**
 * `glance-import serve`: the Image API on the embedded default. A fresh data dir gets one admin
 * token, printed once and kept in <data dir>/admin-token (mode 600).
 */
export async function serve(args: ServeArgs, io: Io, signal?: AbortSignal): Promise<number> {
  const root = hostRoot(args.root);
  const dataDir = path.resolve(args['data-dir'] ?? DEFAULT_DATA_DIR);
  const port = parsePort(args.port);
  const config = await loadConfig({ configFiles: args['config-file'], searchFrom: root ?? false });
  const server = await createServer({ config, dataDir, ...(root ? { root } : {}) });
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
    !ownTokens
      ? `  identity: ${server.identity.describe}`
      : freshToken
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

/** `glance-import token create`: prints only the token, for scripts. */
export async function tokenCreate(args: { 'data-dir'?: string; user?: string; project?: string; roles?: string; description?: string }, io: Io): Promise<number> {
  for (const k of ['user', 'project', 'roles'] as const) if (!args[k]) throw new UsageError(`token create needs --${k}`);
  const dataDir = path.resolve(args['data-dir'] ?? DEFAULT_DATA_DIR);
  const db = await openDatabase(`sqlite://${path.join(dataDir, 'glance.sqlite')}`);
  try {
    const roles = args.roles!.split(',').map((r) => r.trim()).filter(Boolean);
    io.out(await db.tokens.create({ userId: args.user!, projectId: args.project!, roles }, args.description ? { description: args.description } : {}));
  } finally {
    await db.close();
  }
  return EXIT.ok;
}

/** `glance-import db sync`: create or upgrade the database schema. */
export async function dbSync(args: { 'data-dir'?: string }, io: Io): Promise<number> {
  const dataDir = path.resolve(args['data-dir'] ?? DEFAULT_DATA_DIR);
  const db = await openDatabase(`sqlite://${path.join(dataDir, 'glance.sqlite')}`, { migrate: false });
  try {
    const applied = await db.migrate();
    io.out(applied.length ? `applied migrations ${applied.join(', ')} to ${db.url}` : `${db.url} is up to date`);
  } finally {
    await db.close();
  }
  return EXIT.ok;
}

export const readAdminToken = (dataDir: string) => readFileSync(path.join(dataDir, 'admin-token'), 'utf8').trim();
