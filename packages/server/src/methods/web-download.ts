import { defineTask, type FlowItem } from '@glance-import/core';
import { storeErrors } from '@glance-import/store';
import { giError } from '../errors.js';
import type { TaskDeps } from '../import/deps.js';
import type { ImportMethod, MethodCheckDeps } from './method.js';
import { filterImportUri, redactUri, type FilterVerdict } from './uri-filter.js';
import { openWebSource } from './web-source.js';
import { remoteSource } from './remote-source.js';
import { stageFrom } from './stage.js';

const filterFor =
  (d: MethodCheckDeps) =>
  (uri: string): Promise<FilterVerdict> =>
    filterImportUri(uri, d.settings.filtering, d.resolve);

/**
 * Glance's web-download (`_WebDownload`): the URI is filtered at the import call (400), then a task
 * streams it into staging as `<staging>/<image id>` before VerifyStaging; a failure removes what
 * was staged and ImageLock's revert puts the image back to `queued`.
 */
export const webDownload: ImportMethod = {
  ...remoteSource('web-download'),
  async validate(d, req) {
    const uri = req.method.uri;
    const verdict: FilterVerdict = uri ? await filterFor(d)(uri) : { ok: false, reason: "the request has no 'method.uri'" };
    if (!verdict.ok) throw giError('GI_METHOD_URI_FILTERED', { method: 'web-download', uri: redactUri(uri ?? ''), reason: verdict.reason });
  },
  tasks: (d) => [webDownloadTask(d, filterFor(d))],
};

function webDownloadTask(d: TaskDeps, filter: (uri: string) => Promise<FilterVerdict>): FlowItem {
  const { job } = d;
  return defineTask({
    name: 'WebDownload',
    execute: async (_inputs, ctx) => {
      const uri = job.request.method.uri ?? '';
      const cap = d.settings.imageSizeCap;
      const f = d.settings.filtering;
      const source = await openWebSource(uri, {
        filter,
        maxRedirects: f.max_redirects,
        connectTimeoutMs: f.connect_timeout * 1000,
        readTimeoutMs: f.read_timeout * 1000,
        signal: ctx.signal,
      });
      const total = source.contentLength;
      // Refused before the first byte: the source says up front that it is too large.
      if (total !== undefined && total > cap) {
        source.discard();
        throw storeErrors.error('GI_STORE_TOO_LARGE', { limit: cap });
      }
      d.log.info({ image_id: job.imageId, uri: redactUri(source.url), content_length: total ?? null }, 'web-download started');
      d.progress.report({ phase: 'download', bytesDone: 0, ...(total !== undefined ? { bytesTotal: total } : {}) });
      const staged = await stageFrom(d, source.body, {
        phase: 'download',
        signal: ctx.signal,
        ...(total !== undefined ? { expectedBytes: total } : {}),
        // Staging's writer says when it is done with the bytes, so the download can read into their memory again.
        ...(source.release ? { onWritten: source.release } : {}),
      });
      d.log.info({ image_id: job.imageId, bytes: staged.size }, 'web-download staged the image');
    },
    // Also runs when a later task fails: Glance's BaseDownload.revert deletes the staged file too.
    revert: async () => {
      await d.staging.remove(job.imageId).catch((e: unknown) => d.log.warn({ err: e, image_id: job.imageId }, 'could not remove web-download staging data'));
    },
  });
}
