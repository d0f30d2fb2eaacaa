import { describe, expect, it } from 'vitest';
import { failureAdvice, retryStatus } from './advice';
import type { ImportTask } from './task-types';

const failed = (code: string, method: string, message = 'boom', hint?: string): ImportTask => ({
  id: 't',
  type: 'api_image_import',
  status: 'failure',
  owner: 'p',
  image_id: 'i',
  created_at: '',
  updated_at: '',
  message,
  input: { import_req: { method: { name: method } } },
  result: null,
  error_code: code,
  ...(hint ? { error_hint: hint } : {}),
  progress: null,
});

describe('failureAdvice', () => {
  it('a glance-direct import that failed with its data kept can be imported again', () => {
    const a = failureAdvice(failed('GI_IMPORT_STORES_FAILED', 'glance-direct', 'local: disk full'), 'uploading');
    expect(a).toEqual({
      summary: 'Writing the image to a store failed.',
      reason: 'local: disk full',
      todo: 'The staged data was kept: fix the cause, then import again.',
      actions: ['retry', 'discard-stage', 'delete'],
    });
  });

  it('refused data is not offered again; the service hint wins over ours', () => {
    const a = failureAdvice(failed('GI_INSPECT_UNSAFE', 'glance-direct', 'backing file', 'Flatten the image.'), 'uploading');
    expect(a.summary).toBe('The image data was refused by the safety checks.');
    expect(a.todo).toBe('Flatten the image.');
    expect(a.actions).toEqual(['discard-stage', 'delete']);
  });

  it('a download failure retries from queued; an unknown code still reads plainly', () => {
    expect(failureAdvice(failed('GI_METHOD_DOWNLOAD_FAILED', 'web-download'), 'queued').actions).toEqual(['retry', 'delete']);
    expect(failureAdvice(failed('GI_SOMETHING_NEW', 'web-download', ''), 'active')).toMatchObject({
      summary: 'The import failed.',
      reason: '(the service gave no reason)',
      actions: ['delete'],
    });
  });

  it("a plugin's own error names the plugin", () => {
    const t = failed('GI_PLUGIN_FAILED', 'glance-direct', 'flaky plugin broke');
    t.error_plugin = 'flaky';
    expect(failureAdvice(t, 'uploading')).toMatchObject({
      summary: 'The import plugin flaky failed.',
      reason: 'flaky plugin broke',
      actions: ['retry', 'discard-stage', 'delete'],
    });
  });

  it('retryStatus follows the method', () => {
    expect([retryStatus('glance-direct'), retryStatus('web-download'), retryStatus('copy-image'), retryStatus('glance-download')]).toEqual([
      'uploading',
      'queued',
      'active',
      'queued',
    ]);
  });
});
