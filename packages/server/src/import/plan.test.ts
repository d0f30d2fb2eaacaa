import { definePlugin, defineTask, linearFlow } from '@glance-import/core';
import { afterEach, describe, expect, it } from 'vitest';
import { giError } from '../errors.js';
import { harness, type Harness } from '../testing/harness.fixture.js';

// Beyond Glance, for the operator console: a task says up front which steps its import runs (the
// plugins' in config order, each named with its plugin), and a failure says what to do about it.

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const octet = { 'content-type': 'application/octet-stream' };
const twoSteps = (name: string, fail = false) =>
  definePlugin({
    getFlow: () =>
      linearFlow(
        name,
        {},
        defineTask({ name: `${name}-a`, execute: () => {} }),
        defineTask({
          name: `${name}-b`,
          execute: () => {
            if (fail) throw giError('GI_IMPORT_NO_STORE_SUCCEEDED', {});
          },
        }),
      ),
  });

async function importOnce(): Promise<{
  status: string;
  result: Record<string, unknown> | null;
  error_code: string | null;
  error_hint: string | null;
  progress: { plan: unknown; phases: Array<{ phase: string }> };
}> {
  const id = (await h.req('POST', '/v2/images', { body: { name: 'i', disk_format: 'raw', container_format: 'bare' } })).json.id as string;
  await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'hello', headers: octet });
  expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).status).toBe(202);
  for (let i = 0; i < 400; i++) {
    const task = (await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks[0];
    if (task && ['success', 'failure'].includes(task.status)) return task;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('import did not finish');
}

describe("an import task's plan and failure hint", () => {
  it('plans every step in the order it runs, the plugins in image_import_plugins order with their names', async () => {
    h = await harness({
      ini: { image_import_opts: { image_import_plugins: ['second', 'first'] } },
      plugins: { first: twoSteps('first'), second: twoSteps('second') },
    });
    const task = await importOnce();
    expect(task.status).toBe('success');
    expect(task.progress.plan).toEqual([
      { phase: 'ImageLock' },
      { phase: 'VerifyStaging' },
      { phase: 'Inspect-staged' },
      { phase: 'second-a', plugin: 'second' },
      { phase: 'second-b', plugin: 'second' },
      { phase: 'first-a', plugin: 'first' },
      { phase: 'first-b', plugin: 'first' },
      { phase: 'ImportToStore' },
      { phase: 'DeleteFromStaging' },
      { phase: 'CompleteTask' },
    ]);
    expect(task.progress.phases.map((p) => p.phase)).toEqual((task.progress.plan as Array<{ phase: string }>).map((p) => p.phase));
  });

  it("a failed import's task carries the error's hint beside its code", async () => {
    h = await harness({ ini: { image_import_opts: { image_import_plugins: ['broken'] } }, plugins: { broken: twoSteps('broken', true) } });
    const task = await importOnce();
    const expected = giError('GI_IMPORT_NO_STORE_SUCCEEDED', {});
    expect(task).toMatchObject({ status: 'failure', result: null, error_code: 'GI_IMPORT_NO_STORE_SUCCEEDED', error_hint: expected.hint });
    expect(expected.hint).not.toBe('');
  });
});
