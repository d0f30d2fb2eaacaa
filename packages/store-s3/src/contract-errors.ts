import { giError, isGlanceImportError, reasonOf } from '@glance-import/core';

// The store contract's codes (GI_STORE_*: duplicate, not found, range, aborted, ...) are
// @glance-import/store's; a driver raises them, never its own copies.
export { giError as storeError };

/** The contract's GI_STORE_ABORTED for an aborted signal (its reason kept when it already is one). */
export function abortError(signal: AbortSignal, what: string) {
  const reason = signal.reason as unknown;
  if (isGlanceImportError(reason, 'GI_STORE_ABORTED')) return reason;
  return giError('GI_STORE_ABORTED', { what, reason: reason === undefined ? undefined : reasonOf(reason) }, { cause: reason });
}
