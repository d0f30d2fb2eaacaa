import { serviceOptions, type Command } from '../command.js';
import { EXIT, type Io } from '../io.js';
import { loadServiceConfig, openServiceDatabase, type ServiceArgs } from '../service-config.js';

/**
 * `glance-import db sync`: create or upgrade the schema of the database `[database] connection`
 * names, as `glance-manage db_sync` does. A schema newer than this version is refused, unchanged.
 */
export async function dbSync(args: ServiceArgs, io: Io): Promise<number> {
  const db = await openServiceDatabase(await loadServiceConfig(args), 'none');
  try {
    const applied = await db.migrate();
    io.out(applied.length ? `applied migrations ${applied.join(', ')} to ${db.url}` : `${db.url} is up to date`);
  } finally {
    await db.close();
  }
  return EXIT.ok;
}

export const dbSyncCommand: Command = {
  name: 'db sync',
  summary: 'Create or upgrade the database schema (as glance-manage db_sync)',
  description: 'Run it once, from one node, before the nodes of a new version start; a schema newer than this version is refused, unchanged.',
  options: serviceOptions,
  run: (v, _p, io) => dbSync(v as ServiceArgs, io),
};
