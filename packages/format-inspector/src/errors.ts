import { def, defineErrors } from '@glance-import/errors';

/**
 * The format inspector's error codes.
 * Codes are never reused or renumbered: scripts and operators match on them.
 */
export const inspectorErrors = defineErrors('GI_INSPECT_', {
  GI_INSPECT_UNSAFE: def<{ format: string; reason: string; fix: string }>({
    status: 400,
    message: (p) => `The image data (${p.format}) failed the format inspector's safety checks: ${p.reason}.`,
    hint: (p) => p.fix,
  }),
  GI_INSPECT_FORMAT_MISMATCH: def<{ declared: string; detected: string }>({
    status: 415,
    message: (p) => `The image's disk_format is '${p.declared}', but its data is ${p.detected}.`,
    hint: (p) => `Set disk_format to '${p.detected}' if the data is right, or upload data in ${p.declared} format.`,
  }),
  GI_INSPECT_READ_FAILED: def<{ source: string; reason: string }>({
    message: (p) => `Could not read ${p.source} to inspect it: ${p.reason}`,
    hint: 'The inspector needs a readable regular file or a stream that does not fail; check the path and permissions.',
  }),
});

/** Builds one of this package's errors: `giError('GI_INSPECT_UNSAFE', { ... })`. */
export const giError = inspectorErrors.error;
