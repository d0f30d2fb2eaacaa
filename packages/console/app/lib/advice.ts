import type { ImportTask } from './task-types';

export type FailureAction = 'retry' | 'discard-stage' | 'delete';

export interface FailureAdvice {
  /** What went wrong, in plain words. */
  summary: string;
  /** The service's own reason (the task's message), shown as it is. */
  reason: string;
  /** What to do about it: the error's hint when the service gave one, else ours. */
  todo: string;
  actions: FailureAction[];
}

/** Error-code prefixes (most specific first) and what they mean to an operator. */
const KINDS: Array<[RegExp, string]> = [
  [/^GI_IMPORT_INTERRUPTED$/, 'The server stopped while this import ran.'],
  [/^GI_(INSPECT_|IMPORT_UNSAFE|IMPORT_FORMAT_MISMATCH|CONVERT_UNSAFE|CONVERT_FORMAT_MISMATCH)/, 'The image data was refused by the safety checks.'],
  [/^GI_CONVERT_/, 'Converting the image failed.'],
  [/^GI_DECOMPRESS_/, 'Decompressing the image failed.'],
  [/^GI_METHOD_(DOWNLOAD|URI_FILTERED|PROCESSED_URI|REDIRECT|NO_SOURCE)/, 'The image could not be downloaded from its URL.'],
  [/^GI_METHOD_REMOTE_IMAGE/, 'The image in the other region could not be used.'],
  [/^GI_(IMPORT_STORES_FAILED|IMPORT_NO_STORE_SUCCEEDED|STORE_)/, 'Writing the image to a store failed.'],
  [/^GI_QUOTA_/, 'The project is over one of its limits.'],
  [/^GI_IMPORT_NOT_STAGED/, 'No complete staged data was found.'],
  [/^GI_(REGISTRY_|PLUGIN_)/, 'An import plugin could not run.'],
  [/^GI_FLOW_CANCELLED/, 'The import was stopped.'],
  [/^GI_IMPORT_(LOCK|IMAGE_DELETED)/, 'The image changed while it was being imported.'],
];

/** Refusals of the data itself: importing the same bytes again fails the same way. */
const DATA_REFUSED =
  /^GI_(INSPECT_UNSAFE|INSPECT_FORMAT_MISMATCH|IMPORT_UNSAFE|IMPORT_FORMAT_MISMATCH|CONVERT_UNSAFE|CONVERT_FORMAT_MISMATCH|DECOMPRESS_CORRUPT|DECOMPRESS_UNSUPPORTED_FORMAT|DECOMPRESS_ZIP)/;

/** The status an image must be in for the import method to be called again (Glance's rules). */
export function retryStatus(method: string): string {
  if (method === 'glance-direct') return 'uploading';
  if (method === 'copy-image') return 'active';
  return 'queued';
}

/**
 * A failed import explained for the console: plain words for the kind of failure, the service's
 * reason, what to do, and the actions the image's current status still allows.
 */
export function failureAdvice(task: ImportTask, imageStatus: string | undefined): FailureAdvice {
  const code = task.error_code ?? '';
  const method = task.input?.import_req?.method?.name ?? 'glance-direct';
  const plugin = task.error_plugin;
  const summary =
    code === 'GI_PLUGIN_FAILED' && plugin ? `The import plugin ${plugin} failed.` : (KINDS.find(([re]) => re.test(code))?.[1] ?? 'The import failed.');
  const refused = DATA_REFUSED.test(code);
  const canRetry = imageStatus === retryStatus(method) && !refused;
  const actions: FailureAction[] = [];
  if (canRetry) actions.push('retry');
  if (method === 'glance-direct' && imageStatus === 'uploading') actions.push('discard-stage');
  if (imageStatus !== undefined && imageStatus !== 'deleted') actions.push('delete');
  let todo = task.error_hint ?? '';
  if (!todo) {
    if (refused)
      todo =
        method === 'glance-direct'
          ? 'Import a different file: discard the staged data and upload again, or delete the image.'
          : 'Import different data, or delete the image.';
    else if (canRetry) todo = method === 'glance-direct' ? 'The staged data was kept: fix the cause, then import again.' : 'Fix the cause, then import again.';
    else todo = 'Delete the image, or create a new one and import again.';
  }
  return { summary, reason: task.message || '(the service gave no reason)', todo, actions };
}
