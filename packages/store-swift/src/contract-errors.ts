import { isGlanceImportError, reasonOf } from '@glance-import/errors';
import { storeErrors } from '@glance-import/store';

// The store contract's codes (GI_STORE_*: duplicate, not found, range, aborted, ...) are
// @glance-import/store's; a driver raises them from its table, never copies of its own.
export const storeError = storeErrors.error.bind(storeErrors);

/** The contract's GI_STORE_ABORTED for an aborted signal (its reason kept when it already is one). */
export function abortError(signal: AbortSignal, what: string) {
  const reason = signal.reason as unknown;
  if (isGlanceImportError(reason, 'GI_STORE_ABORTED')) return reason;
  return storeErrors.error('GI_STORE_ABORTED', { what, reason: reason === undefined ? undefined : reasonOf(reason) }, { cause: reason });
}
