import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.js';
import { committedWrite, interruptedImport } from './crash.fixture.js';

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

describe('start-up recovery: an import past its commit point is completed, never rolled back', () => {
  it('killed after the image went active: the task succeeds, the lock is released, staging is cleaned, the data stays', async () => {
    h = await harness();
    const { db, imports, staging, stores } = h.server.runtime;
    const id = await stagedImage('hello');
    const { taskId } = await interruptedImport(db, id, {
      node: imports.node,
      stores: ['local'],
      atoms: [
        ['ImageLock', 'SUCCESS'],
        ['VerifyStaging', 'SUCCESS', path.join(staging.dir, id)],
        ['ImportToStore', 'RUNNING'],
      ],
    });
    const location = await committedWrite(db, stores.byId.get('local')!, id, Buffer.from('hello'));
    expect(await imports.recoverInterrupted()).toBe(1);
    expect(await db.tasks.get(taskId)).toMatchObject({ status: 'success', result: { image_id: id } });
    const image = (await db.images.get(id))!;
    expect(image).toMatchObject({ status: 'active', size: 5, locations: [{ store: 'local', url: location }] });
    expect(image.properties.os_glance_import_task).toBeUndefined();
    expect(image.properties.os_glance_importing_to_stores).toBe('');
    expect(readFileSync(location.slice('file://'.length), 'utf8')).toBe('hello');
    expect(existsSync(path.join(staging.dir, id))).toBe(false);
    // What a user sees: an active image that downloads, and a finished import.
    expect((await h.req('GET', `/v2/images/${id}/file`)).text).toBe('hello');
    expect((await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks[0]).toMatchObject({ status: 'success' });
  });

  it("another node's committed import left with a stale lock: the next import call completes it and answers 409 for an active image", async () => {
    h = await harness();
    const { db, stores } = h.server.runtime;
    const id = await stagedImage('hello');
    const { taskId } = await interruptedImport(db, id, { node: 'http://10.0.0.9:9292', stores: ['local'] });
    await committedWrite(db, stores.byId.get('local')!, id, Buffer.from('hello'));
    await db.driver.execute('UPDATE tasks SET updated_at = ? WHERE id = ?', [new Date(Date.now() - 2 * 3600_000).toISOString(), taskId]);
    const res = await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    expect(res.status).toBe(409);
    expect(res.text).toContain('Image with status active cannot be target for import');
    expect(await db.tasks.get(taskId)).toMatchObject({ status: 'success' });
    expect(await db.images.get(id)).toMatchObject({ status: 'active', size: 5 });
    expect((await db.images.get(id))!.properties.os_glance_import_task).toBeUndefined();
  });
});
