import { isGlanceImportError } from '@glance-import/errors';
import { abortError, storeError } from './contract-errors.js';
import { s3Errors } from './errors.js';

/** What the SDK's errors carry that we use: never the whole object (it may hold the access key). */
interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const DENIED = new Set(['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'Forbidden']);

export const statusOf = (e: unknown) => (e as SdkError | undefined)?.$metadata?.httpStatusCode;
export const nameOf = (e: unknown) => (e as SdkError | undefined)?.name;

/** Whether the SDK error says the bucket or key does not exist. */
export const isMissing = (e: unknown) => statusOf(e) === 404 || ['NotFound', 'NoSuchKey', 'NoSuchBucket', 'NoSuchUpload'].includes(nameOf(e) ?? '');

/**
 * The coded error for an SDK failure of `operation`: our own errors (the image data's, an abort)
 * pass unchanged; the SDK's are rebuilt from their name, status and message only.
 */
export function s3Failure(store: string, endpoint: string, operation: string, e: unknown, signal?: AbortSignal): unknown {
  if (isGlanceImportError(e)) return e;
  if (signal?.aborted) return abortError(signal, `${operation} in store '${store}'`);
  const err = (e ?? {}) as SdkError;
  const status = statusOf(e);
  if (status === undefined) {
    const reason = err.code ?? err.name ?? 'no answer';
    if (UNREACHABLE.has(err.code ?? '')) return s3Errors.error('GI_S3_UNREACHABLE', { store, url: endpoint, reason });
    return s3Errors.error('GI_S3_CONNECTION_LOST', { store, operation, reason: err.message && err.message !== reason ? `${reason}: ${err.message}` : reason });
  }
  // A HEAD answer has no body, so no S3 error code: the SDK then names it 'Unknown' (or the status).
  const code = err.name && !['Error', 'Unknown'].includes(err.name) && !/^\d+$/.test(err.name) ? err.name : '';
  if (status === 403 || DENIED.has(code)) return s3Errors.error('GI_S3_ACCESS_DENIED', { store, operation, status, code: code || 'Forbidden' });
  if (status === 413 || code === 'EntityTooLarge') return storeError('GI_STORE_FULL', { store, path: operation, reason: err.message ?? 'HTTP 413' });
  return s3Errors.error('GI_S3_REQUEST_FAILED', {
    store,
    operation,
    status,
    code,
    reason: code && err.message === code ? '' : (err.message ?? '').slice(0, 200),
  });
}
