import { randomBytes } from 'node:crypto';
import { definePlugin, defineTask, linearFlow } from '@glance-import/core';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

// The Tasks API and task views as the reference Glance 25.1.0 answered the same requests.

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const octet = { 'content-type': 'application/octet-stream' };

/** A plugin that fails without a code of its own. */
const refusing = definePlugin({
  getFlow: () =>
    linearFlow(
      'gate',
      {},
      defineTask({
        name: 'Gate',
        execute: () => {
          throw new Error('not today');
        },
      }),
    ),
});

async function imported(name = 'i') {
  const { id } = (await h.req('POST', '/v2/images', { body: { name, disk_format: 'raw', container_format: 'bare' } })).json as { id: string };
  expect((await h.req('PUT', `/v2/images/${id}/stage`, { payload: randomBytes(1000), headers: octet })).status).toBe(204);
  expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).status).toBe(202);
  await h.server.runtime.imports.drain();
  const [row] = (await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks;
  return { id, row, task: (await h.req('GET', `/v2/tasks/${row.id}`, { token: h.tokens.admin })).json };
}

describe('task views', () => {
  it("show Glance's input and result; ours (inspections, error code) are top-level keys of the task schema", async () => {
    h = await harness();
    const { id, row, task } = await imported();
    const input = { image_id: id, import_req: { method: { name: 'glance-direct' } }, backend: ['local'] };
    for (const view of [row, task]) {
      expect(view).toMatchObject({ status: 'success', input, result: { image_id: id }, error_code: null, error_hint: null, error_plugin: null });
      expect(view.input).toEqual(input); // the pre-import snapshot stays in the database
      expect(view.inspections).toEqual([expect.objectContaining({ phase: 'staged', verdict: 'ok', format: 'raw' })]);
    }
    expect((await h.server.runtime.db.tasks.get(task.id))!.input).toHaveProperty('previous');
    const schema = (await h.req('GET', '/v2/schemas/task')).json.properties;
    for (const key of Object.keys(task)) expect(schema, key).toHaveProperty(key);
  });

  it('a failed import: result null, as Glance; the code and the plugin it came from beside it', async () => {
    h = await harness({ ini: { image_import_opts: { image_import_plugins: ['gate'] } }, plugins: { gate: refusing } });
    const { row, task } = await imported();
    for (const view of [row, task]) {
      expect(view).toMatchObject({ status: 'failure', message: 'not today', result: null, error_code: 'GI_PLUGIN_FAILED', error_plugin: 'gate' });
    }
  });
});

describe('GET /v2/tasks', () => {
  it("pages by marker with first and next links, and refuses in Glance's words", async () => {
    h = await harness();
    for (const n of ['a', 'b', 'c']) await imported(n);
    const get = (q: string) => h.req('GET', `/v2/tasks${q}`, { token: h.tokens.admin });
    const seen: string[] = [];
    let next: string | undefined = '/v2/tasks?limit=2&status=success';
    while (next) {
      const page: { first: string; next?: string; tasks: Array<{ id: string }> } = (await h.req('GET', next, { token: h.tokens.admin })).json;
      expect(page.first).toBe('/v2/tasks?limit=2&status=success');
      seen.push(...page.tasks.map((t: { id: string }) => t.id));
      next = page.next;
    }
    expect(new Set(seen).size).toBe(3);
    expect((await get('?sort_key=image_id&sort_dir=asc')).json.tasks).toHaveLength(3);
    const refusals: Array<[string, number, string]> = [
      ['?marker=00000000-0000-0000-0000-000000000000', 400, 'Task with the given id 00000000-0000-0000-0000-000000000000 was not found'],
      ['?marker=abc', 400, 'Invalid marker format'],
      ['?limit=-1', 400, 'limit param must be positive'],
      ['?limit=x', 400, 'limit param must be an integer'],
      ['?sort_key=bogus', 400, 'Sort key supplied was not valid.'],
      ['?sort_dir=up', 400, 'Invalid sort direction: up'],
    ];
    for (const [q, status, words] of refusals) {
      const r = await get(q);
      expect(r.status, q).toBe(status);
      expect(r.text, q).toContain(words);
    }
  });
});
