/**
 * One set of migrations for every engine: portable types only (TEXT, INTEGER, BIGINT), timestamps
 * as ISO-8601 text, JSON as text, booleans as 0/1 integers, so both engines read back the very
 * strings that were written. Versions only grow; a released migration is never edited.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; statements: readonly string[] }> = [
  {
    version: 1,
    name: 'images, tasks, tokens, flow state',
    statements: [
      `CREATE TABLE images (
        id TEXT PRIMARY KEY, name TEXT, status TEXT NOT NULL, visibility TEXT NOT NULL, owner TEXT,
        disk_format TEXT, container_format TEXT, size BIGINT, virtual_size BIGINT,
        checksum TEXT, os_hash_algo TEXT, os_hash_value TEXT,
        min_disk INTEGER NOT NULL DEFAULT 0, min_ram INTEGER NOT NULL DEFAULT 0,
        protected INTEGER NOT NULL DEFAULT 0, os_hidden INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT, deleted INTEGER NOT NULL DEFAULT 0)`,
      'CREATE INDEX images_owner ON images (owner, deleted)',
      'CREATE INDEX images_visibility ON images (visibility, deleted)',
      `CREATE TABLE image_properties (
        image_id TEXT NOT NULL REFERENCES images (id), name TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (image_id, name))`,
      `CREATE TABLE image_tags (
        image_id TEXT NOT NULL REFERENCES images (id), value TEXT NOT NULL, PRIMARY KEY (image_id, value))`,
      `CREATE TABLE image_locations (
        id TEXT PRIMARY KEY, image_id TEXT NOT NULL REFERENCES images (id), store TEXT NOT NULL, url TEXT NOT NULL,
        metadata TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL)`,
      'CREATE INDEX image_locations_image ON image_locations (image_id)',
      `CREATE TABLE image_members (
        image_id TEXT NOT NULL REFERENCES images (id), member TEXT NOT NULL, status TEXT NOT NULL,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (image_id, member))`,
      `CREATE TABLE tasks (
        id TEXT PRIMARY KEY, type TEXT NOT NULL, status TEXT NOT NULL, owner TEXT NOT NULL,
        image_id TEXT, request_id TEXT, user_id TEXT, input TEXT NOT NULL, result TEXT, message TEXT NOT NULL,
        progress TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, expires_at TEXT,
        deleted_at TEXT, deleted INTEGER NOT NULL DEFAULT 0)`,
      'CREATE INDEX tasks_image ON tasks (image_id)',
      `CREATE TABLE tokens (
        token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, project_id TEXT NOT NULL, roles TEXT NOT NULL,
        description TEXT, created_at TEXT NOT NULL, expires_at TEXT)`,
      `CREATE TABLE flow_details (flow_id TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL, updated_at TEXT NOT NULL)`,
      `CREATE TABLE atom_details (
        flow_id TEXT NOT NULL, atom TEXT NOT NULL, state TEXT NOT NULL, attempt INTEGER NOT NULL,
        result TEXT, error TEXT, updated_at TEXT NOT NULL, PRIMARY KEY (flow_id, atom))`,
    ],
  },
  {
    version: 2,
    name: 'indexes for listing images and tasks',
    // Partial (live rows only) and portable: SQLite and PostgreSQL both take `WHERE deleted = 0` and
    // indexes on expressions. The sort expressions are those of image-list.ts and tasks.ts: an index
    // serves a keyset page only when its expression is the ORDER BY's, so edit them together.
    statements: [
      ...[
        ['created_at', 'created_at, id'],
        ['updated_at', 'updated_at, created_at, id'],
        ['name', "(COALESCE(name, '')), created_at, id"],
        ['status', 'status, created_at, id'],
        ['disk_format', "(COALESCE(disk_format, '')), created_at, id"],
        ['container_format', "(COALESCE(container_format, '')), created_at, id"],
        ['size', '(COALESCE(size, 0)), created_at, id'],
      ].map(([key, columns]) => `CREATE INDEX images_sort_${key} ON images (${columns}) WHERE deleted = 0`),
      // The other column filters; visibility and owner have theirs since version 1.
      ...['checksum', 'os_hash_value', 'virtual_size', 'min_disk', 'min_ram'].map((c) => `CREATE INDEX images_${c} ON images (${c}) WHERE deleted = 0`),
      'CREATE INDEX image_tags_value ON image_tags (value, image_id)',
      'CREATE INDEX image_properties_name_value ON image_properties (name, value, image_id)',
      'CREATE INDEX image_members_member ON image_members (member, status, image_id)',
      'CREATE INDEX tasks_sort_created_at ON tasks (created_at, id) WHERE deleted = 0',
      'CREATE INDEX tasks_owner ON tasks (owner, created_at, id) WHERE deleted = 0',
    ],
  },
  {
    version: 3,
    name: 'the node running each task',
    // Several nodes share one database: at start-up each recovers only the imports it ran itself.
    statements: ['ALTER TABLE tasks ADD COLUMN node TEXT', 'CREATE INDEX tasks_node ON tasks (node, status) WHERE deleted = 0'],
  },
];
