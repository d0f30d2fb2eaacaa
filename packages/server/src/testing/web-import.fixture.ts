import { readdirSync } from 'node:fs';
import { afterEach, expect } from 'vitest';
import { harness, type Harness } from './harness.fixture.js';
import { sourcePool } from './http-sources.fixture.js';

/** Helpers for web-download tests through the API: create, import, wait, and check what a failure left. */

/** Servers and sources for the tests of one file: each is closed after its test. */
export function webImportTests() {
  const harnesses: Harness[] = [];
  const pool = sourcePool();
  afterEach(async () => {
    await Promise.all(harnesses.splice(0).map((x) => x.close()));
    await pool.closeAll();
  });
  return {
    serve: pool.serve,
    async harness(o: Parameters<typeof harness>[0]): Promise<Harness> {
      const h = await harness(o);
      harnesses.push(h);
      return h;
    },
  };
}

export const filteringOff = (o: Record<string, unknown> = {}) => ({ import_filtering_opts: { allow_local_addresses: true, allowed_ports: [], ...o } });

export async function newImage(h: Harness): Promise<string> {
  return (await h.req('POST', '/v2/images', { body: { name: 'w', disk_format: 'raw', container_format: 'bare' } })).json.id as string;
}

export const importWeb = (h: Harness, id: string, uri: string | undefined) =>
  h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'web-download', ...(uri === undefined ? {} : { uri }) } } });

export async function waitTask(h: Harness, id: string) {
  for (let i = 0; i < 600; i++) {
    const tasks = (await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks as Array<{
      status: string;
      message: string;
      result: Record<string, unknown> | null;
      error_code: string | null;
    }>;
    if (tasks[0] && ['success', 'failure'].includes(tasks[0].status)) {
      // The task ends before the flow's last steps (staging cleanup, restore) have run.
      await h.server.runtime.imports.drain();
      return tasks[0];
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('import did not finish');
}

export const staged = (h: Harness, id: string) => readdirSync(h.server.runtime.staging.dir).filter((f) => f.startsWith(id));

/** What every failed web-download must leave: the task failed with `reason`, the image queued, unlocked, nothing staged. */
export async function expectCleanFailure(h: Harness, id: string, reason: RegExp) {
  const task = await waitTask(h, id);
  expect(task.status).toBe('failure');
  expect(task.message).toMatch(reason);
  const img = (await h.req('GET', `/v2/images/${id}`)).json;
  expect(img).toMatchObject({ status: 'queued', checksum: null, size: null, os_hash_value: null });
  expect(img.os_glance_import_task).toBeUndefined();
  expect(staged(h, id)).toEqual([]);
  return task;
}
