import { writeFileSync } from 'node:fs';
import { definePlugin, defineTask, linearFlow } from '@glance-import/core';
import { openDatabase } from '@glance-import/db';
import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '../metrics.js';
import { harness, type Harness } from '../testing/harness.js';
import { ImportProgress } from './progress.js';

let h: Harness;
afterEach(async () => { await h?.close(); });

const MiB = 1024 * 1024;

/** A plugin that makes the working file `bytes` long (as a conversion to raw does). */
const growTo = (bytes: number) => definePlugin({
  changesData: true,
  getFlow: () => linearFlow('grow', {}, defineTask<{ file_path: string }, string>({
    name: 'Grow', requires: ['file_path'], provides: 'file_path',
    execute: ({ file_path }) => { writeFileSync(`${file_path}.big`, Buffer.alloc(bytes, 1)); return `${file_path}.big`; },
  })),
});

describe('import progress', () => {
  it("says 'Copied N MiB' while the store write runs, and leaves the message of an ended task alone", async () => {
    const db = await openDatabase(':memory:');
    const task = await db.tasks.create({ id: 't1', type: 'api_image_import', owner: 'p', image_id: null, request_id: null, user_id: null, input: {} });
    await db.tasks.update(task.id, { status: 'processing' });
    const progress = new ImportProgress(db, task.id, new Metrics(), 0);
    progress.enter('ImportToStore');
    progress.report({ phase: 'store', bytesDone: 5 * MiB, bytesTotal: 8 * MiB });
    await progress.finish();
    expect(await db.tasks.get(task.id)).toMatchObject({ message: 'Copied 5 MiB', progress: { phase: 'store', bytesDone: 5 * MiB } });
    await db.tasks.update(task.id, { status: 'failure', message: 'the store is full' });
    progress.report({ phase: 'store', bytesDone: 6 * MiB });
    await progress.finish();
    expect(await db.tasks.get(task.id)).toMatchObject({ message: 'the store is full', progress: { bytesDone: 6 * MiB } });
    await db.close();
  });

  it("a store write that fails after reporting progress: the task keeps the failure's reason, not 'Copied N MiB'", async () => {
    h = await harness({ ini: { DEFAULT: { image_size_cap: String(3 * MiB) }, image_import_opts: { image_import_plugins: ['grow'] } }, plugins: { grow: growTo(8 * MiB) } });
    const { id } = (await h.req('POST', '/v2/images', { body: { name: 'i', disk_format: 'raw', container_format: 'bare' } })).json as { id: string };
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'small', headers: { 'content-type': 'application/octet-stream' } });
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    await h.server.runtime.executor.drain();
    const task = (await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks[0];
    expect(task).toMatchObject({ status: 'failure', message: `The incoming image is too large: it passed the limit of ${3 * MiB} bytes.`, result: { error_code: 'GI_STORE_TOO_LARGE' } });
    // The progress object still tells how far the store write got.
    expect(task.progress).toMatchObject({ phase: 'store', bytesTotal: 8 * MiB });
    expect(task.progress.phases.at(-1)).toMatchObject({ phase: 'ImportToStore', endedAt: expect.any(String) });
  });
});
