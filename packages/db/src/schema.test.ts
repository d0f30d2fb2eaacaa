import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations.js';
import { LATEST_SCHEMA } from './schema.js';
import { BACKENDS, databasePerTest } from './test-backends.js';

const ALL = MIGRATIONS.map((m) => m.version);

describe.each(BACKENDS)('the schema on %s', (backend) => {
  const fresh = databasePerTest(backend);

  it('is version 0 with every migration pending until migrated, then current; migrating again does nothing', async () => {
    const db = await fresh().open({ schema: 'none' });
    expect(await db.schemaStatus()).toEqual({ version: 0, latest: LATEST_SCHEMA, pending: ALL });
    expect(await db.migrate()).toEqual(ALL);
    expect(await db.schemaStatus()).toEqual({ version: LATEST_SCHEMA, latest: LATEST_SCHEMA, pending: [] });
    expect(await db.migrate()).toEqual([]);
  });

  it('is migrated once when several nodes sync at the same time', async () => {
    const nodes = await Promise.all([1, 2, 3].map(() => fresh().open({ schema: 'none' })));
    const applied = await Promise.all(nodes.map((db) => db.migrate()));
    // Each migration is its own transaction, so the nodes may share the work out in any order: what
    // counts is that every one was applied by exactly one of them.
    expect(applied.flat().sort((a, b) => a - b)).toEqual(ALL);
    expect(await nodes[0]!.schemaStatus()).toMatchObject({ version: LATEST_SCHEMA, pending: [] });
  });

  it('newer than this code is refused by migrate, by opening to migrate and by opening to serve, and left unchanged', async () => {
    const db = await fresh().open();
    await db.driver.execute('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
      LATEST_SCHEMA + 1,
      'from the future',
      new Date().toISOString(),
    ]);
    const tooNew = {
      code: 'GI_DB_SCHEMA_TOO_NEW',
      message: `The database at ${db.url} has schema version ${LATEST_SCHEMA + 1}, newer than this glance-import knows (up to ${LATEST_SCHEMA}).`,
    };
    await expect(db.migrate()).rejects.toMatchObject(tooNew);
    await expect(fresh().open()).rejects.toMatchObject(tooNew);
    await expect(fresh().open({ schema: 'current' })).rejects.toMatchObject(tooNew);
    expect(await db.schemaStatus()).toEqual({ version: LATEST_SCHEMA + 1, latest: LATEST_SCHEMA, pending: [] });
  });

  it('opened to serve, must be current: an empty SQLite database (the embedded default) is created, any other is refused with the command to run', async () => {
    const open = fresh().open({ schema: 'current', syncCommand: 'glance-import db sync --config-file /etc/glance/glance-api.conf' });
    if (backend === 'sqlite') {
      expect(await (await open).schemaStatus()).toMatchObject({ version: LATEST_SCHEMA, pending: [] });
      return;
    }
    await expect(open).rejects.toMatchObject({
      code: 'GI_DB_SCHEMA_OUTDATED',
      message: expect.stringMatching(
        /^The database at postgresql:\/\/glance_import:\*\*\*@.* has no glance-import schema yet; this version needs schema \d+\.$/,
      ),
      hint: 'Run `glance-import db sync --config-file /etc/glance/glance-api.conf` once (from one node), then start again.',
    });
    const synced = await fresh().open({ schema: 'none' });
    await synced.migrate();
    expect(await (await fresh().open({ schema: 'current' })).schemaStatus()).toMatchObject({ version: LATEST_SCHEMA, pending: [] });
  });
});
