import { serviceOptions, type Command } from '../command.js';
import { EXIT, type Io } from '../io.js';
import { loadServiceConfig, openServiceDatabase, type ServiceArgs } from '../service-config.js';

/**
 * `glance-import db version`: the schema version of the database on stdout (0: never synced), for
 * scripts; a note on stderr when it is not the version this glance-import needs.
 */
export async function dbVersion(args: ServiceArgs, io: Io): Promise<number> {
  const service = await loadServiceConfig(args);
  const db = await openServiceDatabase(service, 'none');
  try {
    const s = await db.schemaStatus();
    io.out(String(s.version));
    if (s.version > s.latest) io.err(`note: newer than this glance-import knows (up to ${s.latest}); run a version at least as new`);
    else if (s.pending.length) io.err(`note: this glance-import needs schema ${s.latest}; run \`${service.syncCommand}\``);
  } finally {
    await db.close();
  }
  return EXIT.ok;
}

export const dbVersionCommand: Command = {
  name: 'db version',
  summary: 'Print the schema version of the database',
  options: serviceOptions,
  run: (v, _p, io) => dbVersion(v as ServiceArgs, io),
};
