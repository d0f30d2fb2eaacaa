import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { definePlugin, defineTask, linearFlow, type AtomState } from '@glance-import/core';
import { fileStoreFactory, type StoreDriverFactory } from '@glance-import/store';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';
import { committedWrite, interruptedImport } from './crash.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const octet = { 'content-type': 'application/octet-stream' };
const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const list = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);

async function stagedImage(payload = 'hello'): Promise<string> {
  const { id } = (await h.req('POST', '/v2/images', { body: { name: 'i', disk_format: 'raw', container_format: 'bare' } })).json as { id: string };
  expect((await h.req('PUT', `/v2/images/${id}/stage`, { payload, headers: octet })).status).toBe(204);
  return id;
}

/** The atom records of a clean import of the same data: what a crashed run had recorded up to the step given. */
async function recordsOfCleanImport(payload: string): Promise<Map<string, unknown>> {
  const id = await stagedImage(payload);
  await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
  await h.server.runtime.imports.drain();
  const task = (await h.server.runtime.db.tasks.listForImage(id))[0]!;
  return new Map((await h.server.runtime.db.flows.loadAtoms(task.id)).map((a) => [a.atom, a.result]));
}

/** The first two steps of a glance-direct import, completed. */
const verified = (id: string): Array<[string, AtomState, unknown?]> => [
  ['ImageLock', 'SUCCESS'],
  ['VerifyStaging', 'SUCCESS', path.join(h.server.runtime.staging.dir, id)],
];

async function settled(id: string) {
  await h.server.runtime.imports.drain();
  const task = (await h.server.runtime.db.tasks.listForImage(id))[0]!;
  const image = (await h.server.runtime.db.images.get(id))!;
  return { task, image };
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
    const mine = await interruptedImport(db, await stagedImage(), { node: imports.node, atoms: [['ImageLock', 'RUNNING']] });
    const legacy = await interruptedImport(db, await stagedImage(), { node: null, status: 'pending', caller: false });
    const theirs = await interruptedImport(db, await stagedImage(), { node: 'http://10.0.0.2:9292' });
    expect(await imports.recoverInterrupted()).toEqual({ completed: 0, resumed: 1, reverted: 1 });
    expect((await settled(mine.image.id)).task).toMatchObject({ id: mine.taskId, status: 'success' });
    expect(await db.tasks.get(legacy.taskId)).toMatchObject({ status: 'failure', result: { error_code: 'GI_IMPORT_INTERRUPTED' } });
    const after = (await db.images.get(legacy.image.id))!;
    expect(after.status).toBe('uploading');
    expect(after.properties.os_glance_import_task).toBeUndefined();
    expect(existsSync(path.join(staging.dir, legacy.image.id))).toBe(true);
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
      atoms: [...verified(id), ['ImportToStore', 'RUNNING']],
    });
    const location = await committedWrite(db, stores.byId.get('local')!, id, Buffer.from('hello'));
    expect(await imports.recoverInterrupted()).toEqual({ completed: 1, resumed: 0, reverted: 0 });
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

describe('start-up recovery: a task that finished but did not release its lock', () => {
  it('a success: the lock is released and staging cleaned; a failure: the image is put back and the lock released', async () => {
    h = await harness();
    const { db, imports, staging, stores } = h.server.runtime;
    const done = await stagedImage('hello');
    const ok = await interruptedImport(db, done, { node: imports.node, stores: ['local'] });
    await committedWrite(db, stores.byId.get('local')!, done, Buffer.from('hello'));
    await db.tasks.update(ok.taskId, { status: 'success', result: { image_id: done } });
    const broken = await stagedImage('hello');
    const failed = await interruptedImport(db, broken, { node: imports.node, stores: ['local'] });
    await db.tasks.update(failed.taskId, { status: 'failure', message: 'plugin broke' });
    expect(await imports.recoverInterrupted()).toEqual({ completed: 1, resumed: 0, reverted: 1 });
    const active = (await db.images.get(done))!;
    expect(active).toMatchObject({ status: 'active', size: 5 });
    expect(active.properties.os_glance_import_task).toBeUndefined();
    expect(existsSync(path.join(staging.dir, done))).toBe(false);
    expect(await db.tasks.get(ok.taskId)).toMatchObject({ status: 'success' });
    const back = (await db.images.get(broken))!;
    expect(back).toMatchObject({ status: 'uploading', size: 5 });
    expect(back.properties.os_glance_import_task).toBeUndefined();
    expect(existsSync(path.join(staging.dir, broken))).toBe(true);
    expect(await db.tasks.get(failed.taskId)).toMatchObject({ status: 'failure', message: 'plugin broke' });
  });
});

describe('start-up recovery: resume from the last completed step', () => {
  it('killed mid-inspection: runs on from there to an active image with the right hashes, staging cleaned', async () => {
    h = await harness();
    const { db, imports, staging } = h.server.runtime;
    const id = await stagedImage('hello');
    const { taskId } = await interruptedImport(db, id, {
      node: imports.node,
      stores: ['local'],
      atoms: [...verified(id), ['Inspect-staged', 'RUNNING']],
    });
    expect(await imports.recoverInterrupted()).toEqual({ completed: 0, resumed: 1, reverted: 0 });
    const { task, image } = await settled(id);
    expect(task).toMatchObject({ id: taskId, status: 'success', result: { image_id: id } });
    expect(image).toMatchObject({ status: 'active', size: 5, checksum: md5('hello') });
    expect(image.properties.os_glance_import_task).toBeUndefined();
    expect(list(staging.dir).filter((n) => n.startsWith(id))).toEqual([]);
    const atoms = await db.flows.loadAtoms(taskId);
    expect(atoms.find((a) => a.atom === 'VerifyStaging')).toMatchObject({ state: 'SUCCESS', attempt: 1 });
    expect(atoms.every((a) => a.state === 'SUCCESS')).toBe(true);
  });

  it('killed mid store write: clears the partial and the unrecorded data it left in the store, then writes again', async () => {
    h = await harness();
    const { db, imports, staging, stores } = h.server.runtime;
    const clean = await recordsOfCleanImport('hello');
    const id = await stagedImage('hello');
    const { taskId } = await interruptedImport(db, id, {
      node: imports.node,
      stores: ['local'],
      atoms: [...verified(id), ['Inspect-staged', 'SUCCESS', clean.get('Inspect-staged')], ['ImportToStore', 'RUNNING']],
    });
    const dir = stores.byId.get('local')!.properties!.data_dir as string;
    writeFileSync(path.join(dir, `${id}.part-0a1b2c`), 'hel');
    writeFileSync(path.join(dir, id), 'hello'); // written, but killed before its location was recorded
    expect(await imports.recoverInterrupted()).toMatchObject({ resumed: 1 });
    const { task, image } = await settled(id);
    expect(task).toMatchObject({ id: taskId, status: 'success' });
    expect(image).toMatchObject({ status: 'active', size: 5, checksum: md5('hello'), locations: [{ store: 'local', url: `file://${dir}/${id}` }] });
    expect(list(dir).filter((n) => n.startsWith(id))).toEqual([id]);
  });
});

describe('start-up recovery: revert when a step cannot safely run again', () => {
  const notes: string[] = [];
  // Marks the image (its revert unmarks it), then stops in a step that is not rerunnable.
  const gate = definePlugin({
    getFlow: (ctx) =>
      linearFlow(
        'gate',
        {},
        defineTask({
          name: 'Mark',
          rerunnable: true,
          execute: async () => {
            await ctx.image.setExtraProperties({ marked: 'yes' });
            return 'marked';
          },
          revert: async (_i, outcome) => {
            notes.push(`revert Mark ${outcome.kind}`);
            await ctx.image.removeExtraProperties(['marked']);
          },
        }),
        defineTask({
          name: 'Gate',
          execute: () => undefined,
          revert: (_i, outcome) => void notes.push(`revert Gate ${outcome.kind}`),
        }),
      ),
  });

  it('killed in a plugin step that is not rerunnable: reverted, image back to uploading with its staged data, task failed with GI_IMPORT_INTERRUPTED', async () => {
    notes.length = 0;
    h = await harness({ ini: { image_import_opts: { image_import_plugins: ['gate'] } }, plugins: { gate } });
    const { db, imports, staging } = h.server.runtime;
    const clean = await recordsOfCleanImport('hello');
    const id = await stagedImage('hello');
    const { taskId } = await interruptedImport(db, id, {
      node: imports.node,
      stores: ['local'],
      atoms: [...verified(id), ['Inspect-staged', 'SUCCESS', clean.get('Inspect-staged')], ['Mark', 'SUCCESS', 'marked'], ['Gate', 'RUNNING']],
    });
    await db.images.update(id, { setProperties: { marked: 'yes' } });
    expect(await imports.recoverInterrupted()).toEqual({ completed: 0, resumed: 0, reverted: 1 });
    expect(notes).toEqual(['revert Gate failure', 'revert Mark success']);
    const { task, image } = await settled(id);
    expect(task).toMatchObject({
      status: 'failure',
      message: `Import task ${taskId} was interrupted by a server restart in step Gate, which cannot safely run again; what it had done was reverted.`,
      result: { error_code: 'GI_IMPORT_INTERRUPTED', hint: 'Call the import again; the staged data was kept.' },
    });
    expect(image).toMatchObject({ status: 'uploading', size: 5, locations: [] });
    expect(image.properties.marked).toBeUndefined();
    expect(image.properties.os_glance_import_task).toBeUndefined();
    expect(readFileSync(path.join(staging.dir, id), 'utf8')).toBe('hello');
    // A plain retry imports it.
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).status).toBe(202);
    expect((await settled(id)).image).toMatchObject({ status: 'active', checksum: md5('hello') });
  });

  it('killed mid store write to a store that cannot discard leftovers: the data and locations it wrote are removed', async () => {
    // A file store without discard/sweepPartials, as a third-party driver may be.
    const plain: StoreDriverFactory = (id, o) => {
      const { discard: _d, sweepPartials: _s, ...rest } = fileStoreFactory(id, o);
      return rest;
    };
    h = await harness({
      ini: {
        DEFAULT: { enabled_backends: 'fast:file, slow:plain' },
        glance_store: { default_backend: 'fast' },
        fast: { filesystem_store_datadir: '{data}/fast' },
        slow: { filesystem_store_datadir: '{data}/slow' },
      },
      storeDrivers: { plain },
    });
    const { db, imports, staging, stores } = h.server.runtime;
    const id = await stagedImage('hello');
    const { taskId } = await interruptedImport(db, id, {
      node: imports.node,
      stores: ['fast', 'slow'],
      atoms: [...verified(id), ['ImportToStore', 'RUNNING']],
    });
    // 'fast' was written and recorded; 'slow' was still writing.
    const fast = stores.byId.get('fast')!;
    const put = await fast.add(id, Readable.from([Buffer.from('hello')]));
    await db.images.addLocation(id, { store: 'fast', url: put.location, metadata: { store: 'fast' }, status: 'active' });
    await db.images.update(id, { setProperties: { os_glance_importing_to_stores: 'slow' } });
    const slowDir = path.join(h.dataDir, 'slow');
    mkdirSync(slowDir, { recursive: true });
    writeFileSync(path.join(slowDir, `${id}.part-0a1b2c`), 'he');
    expect(await imports.recoverInterrupted()).toEqual({ completed: 0, resumed: 0, reverted: 1 });
    const { task, image } = await settled(id);
    expect(task).toMatchObject({ id: taskId, status: 'failure', result: { error_code: 'GI_IMPORT_INTERRUPTED' } });
    expect(task.message).toContain('in step ImportToStore');
    expect(image).toMatchObject({ status: 'uploading', locations: [] });
    expect(image.properties).toMatchObject({ os_glance_importing_to_stores: '', os_glance_failed_import: 'fast,slow' });
    expect(list(path.join(h.dataDir, 'fast')).filter((n) => n.startsWith(id))).toEqual([]);
    expect(existsSync(path.join(staging.dir, id))).toBe(true);
  });
});

describe('start-up sweep: nothing the service wrote is left behind', () => {
  it('removes partial store writes and staging debris no image accounts for; keeps what a stage or a running import owns', async () => {
    h = await harness();
    const { db, imports, staging, stores } = h.server.runtime;
    const storeDir = stores.byId.get('local')!.properties!.data_dir as string;
    const newImage = async () => (await h.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json.id as string;
    const debris = await newImage(); // queued, nothing running: its partial store write is a crash's
    const running = await stagedImage(); // another node imports it right now
    await interruptedImport(db, running, { node: 'http://10.0.0.2:9292', stores: ['local'] });
    const gone = await newImage();
    const stagingNow = await newImage(); // a stage cut short: it may be resumed
    await db.images.update(stagingNow, { columns: { status: 'uploading' } });
    const queued = await newImage();
    const uploading = await stagedImage();
    const active = await stagedImage();
    await db.images.update(active, { columns: { status: 'active' } });
    await h.req('DELETE', `/v2/images/${gone}`);
    const put = (dir: string, names: string[]) => names.forEach((n) => writeFileSync(path.join(dir, n), 'x'));
    put(storeDir, [`${debris}.part-0a0a0a`, `${running}.part-1b1b1b`, `${gone}.part-2c2c2c`]);
    put(staging.dir, [
      `${stagingNow}.part-3d3d3d`,
      `${queued}.part-4e4e4e`,
      `${uploading}.raw`,
      `${uploading}.uc.part`,
      active,
      `${gone}`,
      `${running}.raw.part`,
    ]);
    await imports.recoverInterrupted();
    expect(list(storeDir)).toEqual([`${running}.part-1b1b1b`]);
    expect(list(staging.dir)).toEqual([running, `${running}.raw.part`, `${stagingNow}.part-3d3d3d`, `${queued}.part-4e4e4e`, uploading].sort());
  });

  it('deleting an image removes the partial writes a crash left in its stores', async () => {
    h = await harness();
    const storeDir = h.server.runtime.stores.byId.get('local')!.properties!.data_dir as string;
    const id = await stagedImage();
    writeFileSync(path.join(storeDir, `${id}.part-5f5f5f`), 'he');
    expect((await h.req('DELETE', `/v2/images/${id}`)).status).toBe(204);
    expect(list(storeDir).filter((n) => n.startsWith(id))).toEqual([]);
    expect(list(h.server.runtime.staging.dir).filter((n) => n.startsWith(id))).toEqual([]);
  });
});
