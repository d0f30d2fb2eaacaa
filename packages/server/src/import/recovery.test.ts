import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.js';
import { interruptedImport } from './crash.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const octet = { 'content-type': 'application/octet-stream' };

async function stagedImage(payload = 'hello'): Promise<string> {
  const { id } = (await h.req('POST', '/v2/images', { body: { name: 'i', disk_format: 'raw', container_format: 'bare' } })).json as { id: string };
  expect((await h.req('PUT', `/v2/images/${id}/stage`, { payload, headers: octet })).status).toBe(204);
  return id;
}

describe('start-up recovery: node ownership', () => {
  it('records the node on each import task it starts', async () => {
    h = await harness({ ini: { DEFAULT: { worker_self_reference_url: 'http://127.0.0.1:9292' } } });
    const id = await stagedImage();
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).status).toBe(202);
    await h.server.runtime.imports.drain();
    expect(h.server.runtime.imports.node).toBe('http://127.0.0.1:9292');
    expect((await h.server.runtime.db.tasks.listForImage(id))[0]).toMatchObject({ node: 'http://127.0.0.1:9292', status: 'success' });
  });

  it("touches only this node's interrupted imports (and those recorded with no node); another node's stay running", async () => {
    h = await harness();
    const { db, imports, staging } = h.server.runtime;
    const mine = await interruptedImport(db, await stagedImage(), { node: imports.node });
    const legacy = await interruptedImport(db, await stagedImage(), { node: null, status: 'pending' });
    const theirs = await interruptedImport(db, await stagedImage(), { node: 'http://10.0.0.2:9292' });
    expect(await imports.recoverInterrupted()).toBe(2);
    for (const { taskId, image } of [mine, legacy]) {
      expect(await db.tasks.get(taskId)).toMatchObject({ status: 'failure', result: { error_code: 'GI_IMPORT_INTERRUPTED' } });
      const after = (await db.images.get(image.id))!;
      expect(after.status).toBe('uploading');
      expect(after.properties.os_glance_import_task).toBeUndefined();
      expect(existsSync(path.join(staging.dir, image.id))).toBe(true);
    }
    expect(await db.tasks.get(theirs.taskId)).toMatchObject({ status: 'processing', node: 'http://10.0.0.2:9292' });
    expect(await db.images.get(theirs.image.id)).toMatchObject({ status: 'importing', properties: { os_glance_import_task: theirs.taskId } });
  });
});
