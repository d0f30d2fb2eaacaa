import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { boolean, definePlugin, defineTask, integer, linearFlow, option, string } from '@glance-import/core';
import { defineStoreDriver, FaultyStore, fileStoreFactory, storeErrors, type StoreDriverFactory } from '@glance-import/store';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const octet = { 'content-type': 'application/octet-stream' };
const data = Buffer.alloc(2 * 1024 * 1024 + 5, 3);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** A third-party store type: a file store that fails after 1 MiB (found through glance.store.drivers). */
const flaky: StoreDriverFactory = (id, options) => new FaultyStore(fileStoreFactory(id, options), { afterBytes: 1024 * 1024 });

const stores = (more: Record<string, Record<string, unknown>> = {}) => ({
  DEFAULT: { enabled_backends: 'fast:file, slow:file, bad:flaky', ...more.DEFAULT },
  glance_store: { default_backend: 'fast' },
  fast: { filesystem_store_datadir: '{data}/fast', store_description: 'Fast store' },
  slow: { filesystem_store_datadir: '{data}/slow' },
  bad: { filesystem_store_datadir: '{data}/bad' },
  ...Object.fromEntries(Object.entries(more).filter(([k]) => k !== 'DEFAULT')),
});

async function staged(token?: string) {
  const { id } = (await h.req('POST', '/v2/images', { body: { name: 'm', disk_format: 'raw', container_format: 'bare' }, ...(token ? { token } : {}) })).json;
  await h.req('PUT', `/v2/images/${id}/stage`, { payload: data, headers: octet, ...(token ? { token } : {}) });
  return id as string;
}

async function finished(id: string, count = 1) {
  for (let i = 0; i < 500; i++) {
    const tasks = (await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks as Array<{ status: string; message: string }>;
    if (tasks.length >= count && ['success', 'failure'].includes(tasks[0]!.status)) return tasks[0]!;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('import did not finish');
}

const filesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

describe('several stores', () => {
  it('lists the stores as Glance does and writes one import to several stores from one read', async () => {
    h = await harness({ ini: stores(), storeDrivers: { flaky } });
    expect((await h.req('GET', '/v2/info/stores')).json.stores).toEqual([
      { id: 'fast', description: 'Fast store', default: 'true' },
      { id: 'slow' },
      { id: 'bad' },
    ]);
    const id = await staged();
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' }, stores: ['fast', 'slow'] } })).status).toBe(202);
    expect((await finished(id)).status).toBe('success');
    const img = (await h.req('GET', `/v2/images/${id}`)).json;
    expect(img).toMatchObject({ status: 'active', stores: 'fast,slow', os_glance_importing_to_stores: '', os_glance_failed_import: '', checksum: md5(data) });
    expect(filesIn(path.join(h.dataDir, 'fast'))).toEqual([id]);
    expect(filesIn(path.join(h.dataDir, 'slow'))).toEqual([id]);
    const unknown = await staged();
    expect((await h.req('POST', `/v2/images/${unknown}/import`, { body: { method: { name: 'glance-direct' }, stores: ['nope'] } })).status).toBe(409);
    expect(
      (await h.req('POST', `/v2/images/${unknown}/import`, { body: { method: { name: 'glance-direct' }, stores: ['fast'], all_stores: true } })).status,
    ).toBe(400);
  });

  it('all_stores_must_succeed (default true): one failing store fails the import and every store written is cleaned up', async () => {
    h = await harness({ ini: stores(), storeDrivers: { flaky } });
    const id = await staged();
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' }, all_stores: true } });
    const task = await finished(id);
    expect(task.status).toBe('failure');
    expect(task.message).toContain('bad');
    const img = (await h.req('GET', `/v2/images/${id}`)).json;
    expect(img).toMatchObject({
      status: 'uploading',
      size: data.length,
      checksum: null,
      os_glance_failed_import: 'bad,fast,slow',
      os_glance_importing_to_stores: '',
    });
    expect(img.stores).toBeUndefined();
    for (const s of ['fast', 'slow', 'bad']) expect(filesIn(path.join(h.dataDir, s)), s).toEqual([]);
    expect(existsSync(path.join(h.server.runtime.staging.dir, id))).toBe(true);
  });

  it('all_stores_must_succeed=false: the import succeeds with the stores that worked and records the failed one', async () => {
    h = await harness({ ini: stores(), storeDrivers: { flaky } });
    const id = await staged();
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' }, stores: ['fast', 'bad'], all_stores_must_succeed: false } });
    expect((await finished(id)).status).toBe('success');
    expect((await h.req('GET', `/v2/images/${id}`)).json).toMatchObject({
      status: 'active',
      stores: 'fast',
      os_glance_failed_import: 'bad',
      os_glance_importing_to_stores: '',
    });
  });

  it('copy-image copies an active image to another store; admin only; 409 when not active; 400 when already there; a failure leaves it active', async () => {
    h = await harness({ ini: stores(), storeDrivers: { flaky } });
    const id = await staged();
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    await finished(id);
    const copy = (body: Record<string, unknown>, token = h.tokens.admin) =>
      h.req('POST', `/v2/images/${id}/import`, { token, body: { method: { name: 'copy-image' }, ...body } });
    expect((await copy({ stores: ['slow'] }, h.tokens.member)).status).toBe(403);
    expect((await copy({ stores: ['fast'] })).text).toContain("Image is already present at store 'fast'");
    expect((await copy({ stores: ['slow'] })).status).toBe(202);
    expect((await finished(id, 2)).status).toBe('success');
    const img = (await h.req('GET', `/v2/images/${id}`)).json;
    expect(img).toMatchObject({ status: 'active', stores: 'fast,slow', checksum: md5(data) });
    expect(filesIn(h.server.runtime.staging.dir).filter((f) => f.startsWith(id))).toEqual([]);
    expect((await copy({ stores: ['bad'] })).status).toBe(202);
    const failed = await finished(id, 3);
    expect(failed.status).toBe('failure');
    expect((await h.req('GET', `/v2/images/${id}`)).json).toMatchObject({
      status: 'active',
      stores: 'fast,slow',
      os_glance_failed_import: 'bad',
      os_glance_importing_to_stores: '',
    });
    const queued = (await h.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
    expect(
      (await h.req('POST', `/v2/images/${queued.id}/import`, { token: h.tokens.admin, body: { method: { name: 'copy-image' }, stores: ['slow'] } })).text,
    ).toContain('Only images with status active can be targeted for copying');
  });

  it('DELETE /v2/stores/{store}/{id} drops one copy, but never the only one', async () => {
    h = await harness({ ini: stores(), storeDrivers: { flaky } });
    const id = await staged();
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' }, stores: ['fast', 'slow'] } });
    await finished(id);
    expect((await h.req('DELETE', `/v2/stores/slow/${id}`)).status).toBe(403);
    const admin = { token: h.tokens.admin };
    expect((await h.req('DELETE', `/v2/stores/bad/${id}`, admin)).status).toBe(404);
    expect((await h.req('DELETE', `/v2/stores/slow/${id}`, admin)).status).toBe(204);
    expect((await h.req('GET', `/v2/images/${id}`)).json.stores).toBe('fast');
    expect(filesIn(path.join(h.dataDir, 'slow'))).toEqual([]);
    const only = await h.req('DELETE', `/v2/stores/fast/${id}`, admin);
    expect(only.status).toBe(403);
    expect(only.text).toContain('Cannot delete image data from the only store containing it.');
    // Glance's order: the last copy is refused before it looks at which store holds it.
    expect((await h.req('DELETE', `/v2/stores/slow/${id}`, admin)).status).toBe(403);
    const unknown = await h.req('DELETE', `/v2/stores/nope/${id}`, admin);
    expect(unknown).toMatchObject({ status: 409, text: expect.stringContaining('The selected store nope is not available on this node.') });
    expect((await h.req('DELETE', '/v2/stores/fast/00000000-0000-0000-0000-000000000000', admin)).text).toContain(
      'Failed to find image 00000000-0000-0000-0000-000000000000',
    );
  });

  it('deleting an image while its import runs stops the import and leaves no file behind', async () => {
    let started!: () => void;
    const running = new Promise<void>((r) => {
      started = r;
    });
    const hold = definePlugin({
      getFlow: (ctx) =>
        linearFlow(
          'hold',
          {},
          defineTask({
            name: 'Hold',
            execute: () =>
              new Promise((_res, rej) => {
                started();
                ctx.signal.addEventListener('abort', () => rej(new Error('aborted')));
              }),
          }),
        ),
    });
    h = await harness({ ini: { ...stores(), image_import_opts: { image_import_plugins: ['hold'] } }, storeDrivers: { flaky }, plugins: { hold } });
    const id = await staged();
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    await running;
    expect((await h.req('DELETE', `/v2/images/${id}`)).status).toBe(204);
    expect((await h.req('GET', `/v2/images/${id}`)).status).toBe(404);
    const task = await h.server.runtime.db.tasks.listForImage(id);
    expect(task[0]!.status).toBe('failure');
    for (const s of ['fast', 'slow']) expect(filesIn(path.join(h.dataDir, s))).toEqual([]);
    expect(filesIn(h.server.runtime.staging.dir).filter((f) => f.startsWith(id))).toEqual([]);
  });
});

describe('quotas (use_keystone_limits, [glance_import_limits])', () => {
  const limited = (limits: Record<string, string>) => harness({ ini: { DEFAULT: { use_keystone_limits: 'true' }, glance_import_limits: limits } });

  it('image_count_total: 413 on create with the limit named', async () => {
    h = await limited({ image_count_total: '1' });
    expect((await h.req('POST', '/v2/images', { body: {} })).status).toBe(201);
    const r = await h.req('POST', '/v2/images', { body: {} });
    expect(r.status).toBe(413);
    expect(r.text).toContain('image_count_total is over limit of 1 due to current usage 1 and delta 1');
  });

  it('image_stage_total: staging past the limit is stopped while streaming, nothing left half-written', async () => {
    h = await limited({ image_stage_total: '1' });
    const { id } = (await h.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
    const r = await h.req('PUT', `/v2/images/${id}/stage`, { payload: Buffer.alloc(2 * 1024 * 1024), headers: octet });
    expect(r.status).toBe(413);
    expect(r.text).toContain('image_stage_total is over limit of 1');
    expect((await h.req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'queued', size: null });
    expect(filesIn(h.server.runtime.staging.dir).filter((f) => f.startsWith(id))).toEqual([]);
    const usage = (await h.req('GET', '/v2/info/usage')).json.usage;
    expect(usage.image_stage_total).toEqual({ usage: 0, limit: 1 });
  });

  it('image_size_total: an import over the limit answers 413 at the API; the image stays staged', async () => {
    h = await limited({ image_size_total: '1' });
    const id = await staged();
    const r = await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    expect(r.status).toBe(413);
    expect(r.text).toContain('image_size_total is over limit of 1 due to current usage 0 and delta 3');
    expect((await h.req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'uploading', size: data.length });
  });

  it('image_count_uploading: a second image cannot be staged while one is staged', async () => {
    h = await limited({ image_count_uploading: '1' });
    await staged();
    const { id } = (await h.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
    const r = await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'x', headers: octet });
    expect(r.status).toBe(413);
    expect(r.text).toContain('image_count_uploading is over limit of 1');
  });

  it('limits are not enforced without use_keystone_limits', async () => {
    h = await harness({ ini: { glance_import_limits: { image_count_total: '0' } } });
    expect((await h.req('POST', '/v2/images', { body: {} })).status).toBe(201);
  });
});

describe('store drivers of glance.store.drivers', () => {
  const checked: string[] = [];
  /** A file store declared like swift and s3 are: its own options, Glance-style properties, a start-up check. */
  const probe = defineStoreDriver({
    options: {
      store_description: option(string(), { help: 'shown' }),
      weight: option(integer(), { default: 0, help: 'order' }),
      probe_dir: option(string(), { help: 'where' }),
      probe_refuses: option(boolean(), { default: false, help: 'whether check() fails' }),
    },
    create: (id, v) => ({
      ...fileStoreFactory(id, { filesystem_store_datadir: v.probe_dir, store_description: v.store_description, weight: v.weight }),
      type: 'probe',
      properties: { probe_dir: v.probe_dir },
      async check() {
        checked.push(id);
        if (v.probe_refuses) throw storeErrors.error('GI_STORE_BAD_OPTIONS', { store: id, reason: 'probe_refuses is set' });
      },
    }),
  });
  const ini = (probeGroup: Record<string, unknown>) => ({
    DEFAULT: { enabled_backends: 'fast:file, cold:probe' },
    glance_store: { default_backend: 'fast' },
    fast: { filesystem_store_datadir: '{data}/fast' },
    cold: { probe_dir: '{data}/cold', store_description: 'Cold', ...probeGroup },
  });

  it('are checked at start-up, get their group validated and typed, and show their properties in /v2/info/stores/detail', async () => {
    h = await harness({ ini: ini({ weight: '3' }), storeDrivers: { probe } });
    expect(checked).toEqual(['cold']);
    const detail = await h.req('GET', '/v2/info/stores/detail', { token: h.tokens.admin });
    expect(detail.json.stores).toEqual([
      {
        id: 'fast',
        type: 'file',
        weight: 0,
        default: 'true',
        properties: { data_dir: path.join(h.dataDir, 'fast'), chunk_size: 65536, thin_provisioning: false },
      },
      { id: 'cold', type: 'probe', weight: 3, description: 'Cold', properties: { probe_dir: path.join(h.dataDir, 'cold') } },
    ]);
    expect((await h.req('GET', '/v2/info/stores/detail')).status).toBe(403);
  });

  it('a store whose check fails, or whose group has an unknown option, stops the start', async () => {
    await expect(harness({ ini: ini({ probe_refuses: 'true' }), storeDrivers: { probe } })).rejects.toMatchObject({
      code: 'GI_STORE_BAD_OPTIONS',
      message: "Store 'cold' cannot be set up: probe_refuses is set.",
    });
    await expect(harness({ ini: ini({ probe_dri: 'x' }), storeDrivers: { probe } })).rejects.toMatchObject({
      code: 'GI_CONFIG_UNKNOWN_OPTION',
      message: expect.stringContaining("unknown option 'probe_dri' in [cold]. Did you mean 'probe_dir'?"),
    });
  });
});
