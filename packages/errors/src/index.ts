// The public surface of @glance-import/errors.
export { GlanceImportError, isGlanceImportError, reasonOf, type GlanceImportErrorJSON } from './error.js';
export { defineErrors, def, type Errors, type ErrorDefinition, type ErrorTable, type ErrorParams, type ParamsOf } from './define.js';
export { suggest, editDistance, didYouMean, quoteList } from './suggest.js';
export { RETIRED_CODES } from './retired.js';
