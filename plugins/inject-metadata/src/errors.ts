import { def, defineErrors } from '@glance-import/core';

/**
 * inject_image_metadata's error codes.
 * Codes are never reused or renumbered: scripts and operators match on them.
 */
export const injectErrors = defineErrors('GI_INJECT_', {
  GI_INJECT_FORBIDDEN_PROPERTY: def<{ keys: string[] }>({
    message: (p) => `[inject_metadata_properties] inject names properties an import may not set: ${p.keys.join(', ')}.`,
    hint: 'Base attributes (id, size, disk_format, owner, visibility, …) and the reserved os_glance* namespace cannot be injected; remove them from `inject`.',
  }),
});

/** Builds one of this package's errors: `giError('GI_INJECT_FORBIDDEN_PROPERTY', { ... })`. */
export const giError = injectErrors.error;
