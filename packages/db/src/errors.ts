import { def, defineErrors } from '@glance-import/errors';

/**
 * The database's error codes.
 * Codes are never reused or renumbered: scripts and operators match on them.
 */
export const dbErrors = defineErrors('GI_DB_', {
  GI_DB_NOT_FOUND: def<{ kind: string; id: string }>({
    status: 404,
    message: (p) => `No ${p.kind} with ID ${p.id} found.`,
    hint: 'Check the ID; deleted records are not shown.',
  }),
  GI_DB_CONFLICT: def<{ kind: string; id: string; reason: string }>({
    status: 409,
    message: (p) => `The ${p.kind} ${p.id} changed concurrently: ${p.reason}.`,
    hint: 'Read it again and retry the call.',
  }),
  GI_DB_DUPLICATE: def<{ kind: string; id: string }>({
    status: 409,
    message: (p) => `A ${p.kind} with ID ${p.id} already exists.`,
    hint: 'Choose another ID, or omit it to get a new one.',
  }),
  GI_DB_MARKER_NOT_FOUND: def<{ kind: 'image' | 'task'; marker: string }>({
    status: 400,
    // Glance's words: the image API's "No image found", the Tasks API's TaskNotFound.
    message: (p) => (p.kind === 'image' ? `No image found with ID ${p.marker}` : `Task with the given id ${p.marker} was not found`),
    hint: 'Pass the ID of the last item of the previous page, as the `next` link does.',
  }),
  GI_DB_MARKER_FORBIDDEN: def<{ kind: 'image' | 'task'; marker: string }>({
    status: 403,
    message: (p) => (p.kind === 'image' ? `Forbidding request, image ${p.marker} not visible` : `Forbidding request, task ${p.marker} is not visible`),
    hint: 'The marker must be an item you may see; start again from the first page.',
  }),
  GI_DB_URL_INVALID: def<{ url: string; reason: string }>({
    message: (p) => `Database URL '${p.url}' is not usable: ${p.reason}.`,
    hint: "Set [database] connection to 'sqlite:///<absolute path>' (embedded) or 'postgresql://user:password@host:5432/dbname'.",
  }),
  GI_DB_CONNECT_FAILED: def<{ url: string; reason: string }>({
    message: (p) => `Cannot use the database at ${p.url}: ${p.reason}.`,
    hint: 'Check [database] connection (user, password, host, port, database name), that PostgreSQL runs and accepts this host (pg_hba.conf), and that the role owns the database.',
  }),
  GI_DB_SCHEMA_OUTDATED: def<{ url: string; version: number; latest: number; command: string }>({
    message: (p) =>
      p.version === 0
        ? `The database at ${p.url} has no glance-import schema yet; this version needs schema ${p.latest}.`
        : `The database at ${p.url} has schema version ${p.version}; this version of glance-import needs ${p.latest}.`,
    hint: (p) => `Run \`${p.command}\` once (from one node), then start again.`,
  }),
  GI_DB_SCHEMA_TOO_NEW: def<{ url: string; version: number; latest: number }>({
    message: (p) => `The database at ${p.url} has schema version ${p.version}, newer than this glance-import knows (up to ${p.latest}).`,
    hint: 'A newer glance-import migrated it: run that version (or newer) on every node. Schemas are never downgraded; restore a backup to go back.',
  }),
});

/** Builds one of this package's errors: `giError('GI_DB_NOT_FOUND', { ... })`. */
export const giError = dbErrors.error;
