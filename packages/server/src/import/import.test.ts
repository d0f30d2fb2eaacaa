import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { definePlugin, defineTask, linearFlow } from '@glance-import/core';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const octet = { 'content-type': 'application/octet-stream' };
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');

async function newImage(body: Record<string, unknown> = {}, token?: string) {
  return (await h.req('POST', '/v2/images', { body: { name: 'i', disk_format: 'raw', container_format: 'bare', ...body }, ...(token ? { token } : {}) }))
    .json as { id: string };
}

async function waitTask(id: string) {
  for (let i = 0; i < 400; i++) {
    const tasks = (await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks as Array<{ status: string; message: string }>;
    if (tasks[0] && ['success', 'failure'].includes(tasks[0].status)) return tasks[0];
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('import did not finish');
}

const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);

describe('glance-direct end to end', () => {
  it('stage -> uploading with size; import -> active with md5, sha512, size; download equals upload; Range', async () => {
    h = await harness();
    const { id } = await newImage();
    expect((await h.req('PUT', `/v2/images/${id}/stage`, { payload: data, headers: octet })).status).toBe(204);
    expect((await h.req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'uploading', size: data.length });
    expect((await h.req('GET', `/v2/images/${id}/file`)).status).toBe(204);
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).status).toBe(202);
    const task = await waitTask(id);
    expect(task).toMatchObject({ status: 'success', result: { image_id: id }, message: 'Copied 3 MiB' });
    const img = (await h.req('GET', `/v2/images/${id}`)).json;
    expect(img).toMatchObject({
      status: 'active',
      size: data.length,
      virtual_size: data.length,
      checksum: md5(data),
      os_hash_algo: 'sha512',
      os_hash_value: sha512(data),
      stores: 'local',
      os_glance_importing_to_stores: '',
      os_glance_failed_import: '',
    });
    expect(img.os_glance_import_task).toBeUndefined();
    const dl = await h.server.app.inject({ method: 'GET', url: `/v2/images/${id}/file`, headers: { 'x-auth-token': h.tokens.member } });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-md5']).toBe(md5(data));
    expect(md5(dl.rawPayload)).toBe(md5(data));
    const part = await h.server.app.inject({ method: 'GET', url: `/v2/images/${id}/file`, headers: { 'x-auth-token': h.tokens.member, range: 'bytes=10-19' } });
    expect(part.statusCode).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 10-19/${data.length}`);
    expect(part.rawPayload).toEqual(data.subarray(10, 20));
    expect((await h.req('GET', `/v2/images/${id}/file`, { headers: { range: `bytes=${data.length}-` } })).status).toBe(416);
    expect((await h.req('GET', `/v2/images/${id}/file`, { headers: { range: 'bytes=1-2,5-6' } })).text).toContain(
      'Requests with multiple ranges are not supported in Glance.',
    );
    expect(readdirSync(h.server.runtime.staging.dir).filter((f) => f.startsWith(id))).toEqual([]);
    expect((await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'again', headers: octet })).text).toContain(
      'Image status transition from active to uploading is not allowed',
    );
    const full = (await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks[0];
    expect(full.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(full.progress.phases.map((p: { phase: string }) => p.phase)).toEqual(
      expect.arrayContaining(['ImageLock', 'VerifyStaging', 'ImportToStore', 'CompleteTask']),
    );
  });

  it('an import reads successful only once its staged data is gone and its lock free', async () => {
    h = await harness();
    const staging = h.server.runtime.staging;
    const remove = staging.remove.bind(staging);
    // A slow cleanup: the next import of the image (a copy-image staging it again) must not overlap it.
    staging.remove = async (id: string) => {
      await new Promise((r) => setTimeout(r, 200));
      return remove(id);
    };
    const { id } = await newImage();
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'abc', headers: octet });
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    expect((await waitTask(id)).status).toBe('success');
    expect(existsSync(path.join(staging.dir, id))).toBe(false);
    expect((await h.req('GET', `/v2/images/${id}`)).json.os_glance_import_task).toBeUndefined();
  });

  it('refuses what Glance refuses: staging twice, staging a non-queued image, importing unstaged, an unknown method', async () => {
    h = await harness();
    const { id } = await newImage();
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).text).toContain(
      "Image needs to be staged before 'glance-direct' method can be used",
    );
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'abc', headers: octet });
    expect((await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'abc', headers: octet })).status).toBe(409);
    expect((await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'abc', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'teleport' } } })).text).toContain(
      "Unknown import method name 'teleport'.",
    );
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: {} })).text).toContain("Import request requires a 'method' field.");
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: {} } })).text).toContain("Import request requires a 'name' field.");
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' }, all_stores: 'yes' } })).text).toContain(
      "'all_stores' must be boolean value only",
    );
    const noFmt = await newImage({ disk_format: null });
    await h.req('PUT', `/v2/images/${noFmt.id}/stage`, { payload: 'abc', headers: octet });
    expect((await h.req('POST', `/v2/images/${noFmt.id}/import`, { body: { method: { name: 'glance-direct' } } })).text).toContain(
      "'disk_format' needs to be set before import",
    );
  });

  it('DELETE /stage (beyond Glance) drops staged data and returns the image to queued', async () => {
    h = await harness();
    const { id } = await newImage();
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'abc', headers: octet });
    expect((await h.req('DELETE', `/v2/images/${id}/stage`)).status).toBe(204);
    expect((await h.req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'queued', size: null });
    expect(existsSync(path.join(h.server.runtime.staging.dir, id))).toBe(false);
    expect((await h.req('DELETE', `/v2/images/${id}/stage`)).status).toBe(409);
    expect((await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'again', headers: octet })).status).toBe(204);
  });

  it('a second import racing the first gets 409 "Image has active task"', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    h = await harness({
      ini: { image_import_opts: { image_import_plugins: ['slow'] } },
      plugins: { slow: definePlugin({ getFlow: () => linearFlow('slow', {}, defineTask({ name: 'Wait', execute: () => gate })) }) },
    });
    const { id } = await newImage();
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'abc', headers: octet });
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).status).toBe(202);
    expect((await h.req('GET', `/v2/images/${id}`)).json.status).toBe('importing');
    const second = await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    expect(second.status).toBe(409);
    release();
    expect((await waitTask(id)).status).toBe('success');
  });

  it('an import that loses the lock to a concurrent one answers 409 and leaves no task behind', async () => {
    h = await harness();
    const { id } = await newImage();
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'abc', headers: octet });
    const images = h.server.runtime.db.images;
    const take = images.setPropertyIfAbsent.bind(images);
    // The other import took the lock between this call's checks and its own attempt.
    images.setPropertyIfAbsent = async () => {
      images.setPropertyIfAbsent = take;
      return false;
    };
    const r = await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    expect(r.status).toBe(409);
    expect(r.text).toContain(`New operation on image '${id}' is not permitted as prior operation is still in progress`);
    expect((await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks).toEqual([]);
    expect((await h.req('GET', `/v2/images/${id}`)).json.status).toBe('uploading');
  });

  it('a plugin that throws: task failure with the reason, image back to uploading with staged data intact, lock released, retry works', async () => {
    let fail = true;
    h = await harness({
      ini: { image_import_opts: { image_import_plugins: ['flaky'] } },
      plugins: {
        flaky: definePlugin({
          getFlow: () =>
            linearFlow(
              'flaky',
              {},
              defineTask({
                name: 'Flaky',
                execute: () => {
                  if (fail) throw new Error('flaky plugin broke');
                },
              }),
            ),
        }),
      },
    });
    const { id } = await newImage();
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'hello', headers: octet });
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    const task = await waitTask(id);
    expect(task).toMatchObject({ status: 'failure', message: 'flaky plugin broke' });
    const img = (await h.req('GET', `/v2/images/${id}`)).json;
    expect(img).toMatchObject({ status: 'uploading', size: 5, checksum: null });
    expect(img.os_glance_import_task).toBeUndefined();
    expect(existsSync(path.join(h.server.runtime.staging.dir, id))).toBe(true);
    fail = false;
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).status).toBe(202);
    const tasks = (await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks;
    expect(tasks).toHaveLength(2);
    expect((await waitTask(id)).status).toBe('success');
    expect((await h.req('GET', `/v2/images/${id}`)).json.checksum).toBe(md5(Buffer.from('hello')));
  });

  it('a failed import keeps os_glance_stage_host, so a retry can still find the staged data; a successful one drops it', async () => {
    let fail = true;
    h = await harness({
      ini: { DEFAULT: { worker_self_reference_url: 'http://node-a:9292' }, image_import_opts: { image_import_plugins: ['flaky'] } },
      plugins: {
        flaky: definePlugin({
          getFlow: () =>
            linearFlow(
              'flaky',
              {},
              defineTask({
                name: 'Flaky',
                execute: () => {
                  if (fail) throw new Error('flaky plugin broke');
                },
              }),
            ),
        }),
      },
    });
    const { id } = await newImage();
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'hello', headers: octet });
    const stageHost = async () => (await h.server.runtime.db.images.get(id))!.properties.os_glance_stage_host;
    expect(await stageHost()).toBe('http://node-a:9292');
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    expect((await waitTask(id)).status).toBe('failure');
    expect(await stageHost()).toBe('http://node-a:9292');
    fail = false;
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    await h.server.runtime.imports.drain();
    expect((await h.req('GET', `/v2/images/${id}`)).json.status).toBe('active');
    expect(await stageHost()).toBeUndefined();
  });

  it('staging over image_size_cap answers 413 and leaves the image queued with nothing staged', async () => {
    h = await harness({ ini: { DEFAULT: { image_size_cap: '100' } } });
    const { id } = await newImage();
    const r = await h.req('PUT', `/v2/images/${id}/stage`, { payload: Buffer.alloc(101), headers: octet });
    expect(r.status).toBe(413);
    expect((await h.req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'queued', size: null });
    expect(readdirSync(h.server.runtime.staging.dir).filter((f) => f.startsWith(id))).toEqual([]);
  });

  it('a client that disconnects mid-stage: image back to queued, what arrived kept only for a resume, not logged as a server error', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    h = await harness({
      logger: pino(
        { level: 'info' },
        {
          write: (l: string) => {
            lines.push(JSON.parse(l));
          },
        },
      ),
    });
    const { id } = await newImage();
    const url = await h.server.listen('127.0.0.1', 0);
    await new Promise<void>((resolve) => {
      const req = http.request(`${url}/v2/images/${id}/stage`, {
        method: 'PUT',
        headers: { ...octet, 'x-auth-token': h.tokens.member, 'content-length': 10_000_000 },
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(1_000_000, 1), () =>
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 50),
      );
    });
    // The image is queued before the stage starts too: wait for the stage's end, seen as a kept upload.
    for (let i = 0; i < 250; i++) {
      if ((await h.req('HEAD', `/v2/images/${id}/stage`)).headers['x-image-stage-state'] === 'partial') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await h.req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'queued', size: null });
    // No stage to import: only the broken-off upload, kept for a client that resumes (a plain PUT replaces it).
    expect(
      readdirSync(h.server.runtime.staging.dir)
        .filter((f) => f.startsWith(id))
        .sort(),
    ).toEqual([`${id}.upload`, `${id}.upload-offset`]);
    expect(await h.server.runtime.staging.has(id)).toBe(false);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('an ordinary user imports while /v2/tasks stays closed to them (the seed task-policy split)', async () => {
    h = await harness();
    const { id } = await newImage();
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'abc', headers: octet });
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    const task = await waitTask(id);
    expect(task.status).toBe('success');
    expect((await h.req('GET', '/v2/tasks')).status).toBe(403);
    expect((await h.req('GET', `/v2/tasks/${(task as unknown as { id: string }).id}`)).status).toBe(403);
    const admin = await h.req('GET', `/v2/tasks/${(task as unknown as { id: string }).id}`, { token: h.tokens.admin });
    expect(admin.json).toMatchObject({ status: 'success', type: 'api_image_import', image_id: id, user_id: 'alice' });
    expect((await h.req('GET', '/v2/tasks', { token: h.tokens.admin })).json.tasks).toHaveLength(1);
  });

  it('another project cannot stage, import or download a private image', async () => {
    h = await harness();
    const { id } = await newImage({ visibility: 'private' });
    expect((await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'x', headers: octet, token: h.tokens.other })).status).toBe(404);
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'x', headers: octet });
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } }, token: h.tokens.other })).status).toBe(404);
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    await waitTask(id);
    expect((await h.req('GET', `/v2/images/${id}/file`, { token: h.tokens.other })).status).toBe(404);
  });
});

describe('stale import locks', () => {
  it('a lock whose task has not moved for an hour is taken over: the old import stops and fails "Expired lock preempted"', async () => {
    let holdFirst = true;
    const hold = definePlugin({
      getFlow: (ctx) =>
        linearFlow(
          'hold',
          {},
          defineTask({
            name: 'Hold',
            execute: () =>
              holdFirst
                ? new Promise((_res, rej) => {
                    holdFirst = false;
                    ctx.signal.addEventListener('abort', () => rej(new Error('stopped')));
                  })
                : undefined,
          }),
        ),
    });
    h = await harness({ ini: { image_import_opts: { image_import_plugins: ['hold'] } }, plugins: { hold } });
    const { id } = await newImage();
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'hello', headers: octet });
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    let first = (await h.server.runtime.db.tasks.listForImage(id))[0]!;
    // Wait until the held task has written its last progress, so the clock set below stays.
    for (let i = 0; i < 200 && first.progress?.phase !== 'Hold'; i++) {
      await new Promise((r) => setTimeout(r, 10));
      first = (await h.server.runtime.db.tasks.get(first.id))!;
    }
    expect(first.progress?.phase).toBe('Hold');
    // Glance's order: the status rule answers first while the import runs.
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).text).toContain(
      "Image needs to be staged before 'glance-direct' method can be used",
    );
    await h.server.runtime.db.driver.execute('UPDATE tasks SET updated_at = ? WHERE id = ?', [new Date(Date.now() - 2 * 3600_000).toISOString(), first.id]);
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).status).toBe(202);
    expect(await h.server.runtime.db.tasks.get(first.id)).toMatchObject({ status: 'failure', message: 'Expired lock preempted' });
    expect((await waitTask(id)).status).toBe('success');
    expect((await h.req('GET', `/v2/images/${id}`)).json.checksum).toBe(md5(Buffer.from('hello')));
  });

  it('an image left importing by a node that died (its task gone) is put back and imports again', async () => {
    h = await harness();
    const { id } = await newImage();
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'hello', headers: octet });
    const db = h.server.runtime.db;
    await db.images.update(id, { columns: { status: 'importing' } });
    await db.images.setPropertyIfAbsent(id, 'os_glance_import_task', '00000000-0000-0000-0000-00000000dead');
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).status).toBe(202);
    expect((await waitTask(id)).status).toBe('success');
    expect((await h.req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'active', size: 5 });
  });
});

describe('stale import locks: the old task', () => {
  it('fails with GI_IMPORT_LOCK_PREEMPTED and Glance\'s message "Expired lock preempted"', async () => {
    h = await harness();
    const { id } = await newImage();
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'hello', headers: octet });
    const db = h.server.runtime.db;
    // A task some other node started and never finished: no flow runs it here.
    const old = await db.tasks.create({
      id: '00000000-0000-0000-0000-0000000000aa',
      type: 'api_image_import',
      owner: 'p',
      image_id: id,
      request_id: null,
      user_id: null,
      input: {},
    });
    await db.tasks.update(old.id, { status: 'processing' });
    await db.images.update(id, { columns: { status: 'importing' } });
    await db.images.setPropertyIfAbsent(id, 'os_glance_import_task', old.id);
    await db.driver.execute('UPDATE tasks SET updated_at = ? WHERE id = ?', [new Date(Date.now() - 2 * 3600_000).toISOString(), old.id]);
    expect((await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).status).toBe(202);
    expect(await db.tasks.get(old.id)).toMatchObject({
      status: 'failure',
      message: 'Expired lock preempted',
      result: { error_code: 'GI_IMPORT_LOCK_PREEMPTED' },
    });
    expect((await waitTask(id)).status).toBe('success');
  });
});

describe('shutdown', () => {
  it('stops an import that outlives the grace period; the image is back to uploading with its staged data', async () => {
    const hold = definePlugin({
      getFlow: (ctx) =>
        linearFlow(
          'hold',
          {},
          defineTask({
            name: 'Hold',
            execute: () =>
              new Promise((_res, rej) => {
                ctx.signal.addEventListener('abort', () => rej(new Error('stopped')));
              }),
          }),
        ),
    });
    h = await harness({ ini: { image_import_opts: { image_import_plugins: ['hold'] } }, plugins: { hold } });
    const { id } = await newImage();
    await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'hello', headers: octet });
    await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
    const { db, imports: executor } = h.server.runtime;
    for (let i = 0; i < 200 && executor.active === 0; i++) await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    await executor.shutdown(100);
    expect(Date.now() - started).toBeLessThan(5000);
    const task = (await db.tasks.listForImage(id))[0]!;
    expect(task.status).toBe('failure');
    expect(task.message).toContain('shutting down');
    expect(await db.images.get(id)).toMatchObject({ status: 'uploading', size: 5 });
    expect(existsSync(path.join(h.server.runtime.staging.dir, id))).toBe(true);
  });
});
