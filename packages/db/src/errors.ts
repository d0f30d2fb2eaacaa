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
  GI_DB_MARKER_NOT_FOUND: def<{ marker: string }>({
    status: 400,
    message: (p) => `marker ${p.marker} not found.`,
    hint: 'Pass the ID of the last item of the previous page, as the `next` link does.',
  }),
  GI_DB_URL_INVALID: def<{ url: string; reason: string }>({
    message: (p) => `Database URL '${p.url}' is not usable: ${p.reason}.`,
    hint: "Use 'sqlite:///<absolute path>' (embedded) or 'postgresql://user@host/db'.",
  }),
});

/** Builds one of this package's errors: `giError('GI_DB_NOT_FOUND', { ... })`. */
export const giError = dbErrors.error;
