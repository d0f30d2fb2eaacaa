import path from 'node:path';
import { findHostRoot, isGlanceImportError, loadConfig } from '@glance-import/core';
import { databaseSettings, openDatabase, type Database, type OpenOptions } from '@glance-import/db';
import { serverSchema, type ServerConfig } from '@glance-import/server';

/** What every command of the service (serve, token create, db sync, db version) reads its config from. */
export interface ServiceArgs {
  'data-dir'?: string;
  'config-file'?: string[];
  root?: string;
}

export const DEFAULT_DATA_DIR = 'data';

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

export interface ServiceConfig {
  config: ServerConfig;
  root: string | undefined;
  dataDir: string;
  /** The command that migrates this config's database, as the operator should type it. */
  syncCommand: string;
}

const quoted = (s: string) => (/^[\w./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);

/** The host's config and the `--config-file` files, `[database]` included. */
export async function loadServiceConfig(args: ServiceArgs): Promise<ServiceConfig> {
  const root = hostRoot(args.root);
  const dataDir = path.resolve(args['data-dir'] ?? DEFAULT_DATA_DIR);
  const config = await loadConfig({ configFiles: args['config-file'], searchFrom: root ?? false, schema: serverSchema });
  // Only what finds the same database again: the config files, and the data dir when the database lives there.
  const words = ['glance-import', 'db', 'sync', ...(args['config-file'] ?? []).flatMap((f) => ['--config-file', path.resolve(f)])];
  if (args.root !== undefined) words.push('--root', path.resolve(args.root));
  if (databaseSettings(config, dataDir).inDataDir) words.push('--data-dir', dataDir);
  return { config, root, dataDir, syncCommand: words.map(quoted).join(' ') };
}

/** Open the database `[database] connection` names (else the data dir's), handling its schema as `schema` says. */
export async function openServiceDatabase(service: ServiceConfig, schema: NonNullable<OpenOptions['schema']>): Promise<Database> {
  const { url, pool } = databaseSettings(service.config, service.dataDir);
  return openDatabase(url, { pool, schema, syncCommand: service.syncCommand });
}
