import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { definePlugin, defineTask, EntryPointRegistry, IMPORT_PLUGINS_NAMESPACE, linearFlow, loadConfig } from '@glance-import/core';
import { openDatabase, type Database } from '@glance-import/db';
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type GlanceServer } from './app.js';
import { serviceLogger } from './logger.js';
import { serverSchema } from './options.js';

// Shutdown drains: reads keep answering, new imports and uploads get 503, running imports get
// [glance_import] shutdown_grace seconds, then stop and revert. The test keeps the database open
// (the server does not own it) to look at the image after the server stopped.

let release: () => void = () => {};
let released = Promise.resolve();
const hold = definePlugin({
  getFlow: (ctx) =>
    linearFlow(
      'hold',
      {},
      defineTask({
        name: 'Hold',
        async execute() {
          const aborted = new Promise<never>((_r, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true }));
          await Promise.race([released, aborted]);
        },
      }),
    ),
});

const octet = { 'content-type': 'application/octet-stream' };
let cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  release();
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function heldImport(grace: number) {
  released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gi-shutdown-'));
  cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const db: Database = await openDatabase(`sqlite://${path.join(dataDir, 'glance.sqlite')}`);
  cleanup.push(() => db.close());
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(c: Buffer, _e, cb) {
      lines.push(
        ...c
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>),
      );
      cb();
    },
  });
  const config = await loadConfig({
    searchFrom: false,
    schema: serverSchema,
    overrides: { image_import_opts: { image_import_plugins: ['hold'] }, glance_import: { shutdown_grace: String(grace) } },
  });
  const server: GlanceServer = await createServer({
    config,
    dataDir,
    db,
    logger: serviceLogger('info', stream),
    registry: EntryPointRegistry.fromExtensions(IMPORT_PLUGINS_NAMESPACE, { hold }),
  });
  cleanup.push(() => server.close());
  const token = await db.tokens.create({ userId: 'alice', projectId: 'p1', roles: ['member', 'reader'] });
  const req = async (method: 'GET' | 'POST' | 'PUT', url: string, o: { body?: unknown; payload?: string; headers?: Record<string, string> } = {}) => {
    const res = await server.app.inject({
      method,
      url,
      headers: { 'x-auth-token': token, ...(o.body ? { 'content-type': 'application/json' } : {}), ...o.headers },
      ...(o.body ? { payload: JSON.stringify(o.body) } : o.payload !== undefined ? { payload: o.payload } : {}),
    });
    const json = String(res.headers['content-type']).startsWith('application/json') ? (JSON.parse(res.body) as Record<string, unknown>) : undefined;
    return { status: res.statusCode, headers: res.headers, json };
  };
  const id = (await req('POST', '/v2/images', { body: { name: 'x', disk_format: 'raw', container_format: 'bare' } })).json!.id as string;
  await req('PUT', `/v2/images/${id}/stage`, { payload: 'abc', headers: octet });
  await req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
  while (server.runtime.imports.active === 0) await sleep(10);
  return { id, db, server, lines, req };
}

describe('shutdown', () => {
  it('logs the grace period and the imports it waits for; reads answer, writes get 503 GI_SERVER_DRAINING; the import finishes', async () => {
    const { id, db, server, lines, req } = await heldImport(30);
    const closed = server.close({ reason: 'SIGTERM' });
    expect(lines.find((l) => String(l.msg).startsWith('shutting down'))).toMatchObject({
      level: 'info',
      signal: 'SIGTERM',
      grace_s: 30,
      imports: 1,
      queued: 0,
      msg: 'shutting down (SIGTERM): waiting up to 30 s for 1 import(s); reads still answer, new imports and uploads get 503',
    });
    expect((await req('GET', `/v2/images/${id}`)).json).toMatchObject({ status: 'importing' });
    const refused = await req('POST', '/v2/images', { body: { name: 'late', disk_format: 'raw', container_format: 'bare' } });
    expect(refused.status).toBe(503);
    expect(refused.headers['x-glance-import-error-code']).toBe('GI_SERVER_DRAINING');
    expect((await req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } })).status).toBe(503);
    release();
    await closed;
    expect(await db.images.get(id)).toMatchObject({ status: 'active' });
    expect((await db.tasks.listForImage(id))[0]).toMatchObject({ status: 'success' });
  });

  it('after the grace period the running import is stopped and reverts: the image back to uploading, its data kept, the task failed', async () => {
    const { id, db, server, lines } = await heldImport(1);
    await server.close({ reason: 'SIGINT' });
    expect(lines.find((l) => String(l.msg).startsWith('stopping'))).toMatchObject({ level: 'warn', imports: 1 });
    expect(await db.images.get(id)).toMatchObject({ status: 'uploading', size: 3 });
    expect((await db.tasks.listForImage(id))[0]).toMatchObject({ status: 'failure' });
  });

  it('imports.hurry() (a second signal) stops the running imports without waiting out the grace period', async () => {
    // The grace period is an hour: this test ends (within the test timeout) only if hurry() cut it short.
    const { id, db, server } = await heldImport(3600);
    const closed = server.close({ reason: 'SIGTERM' });
    await sleep(50);
    server.runtime.imports.hurry();
    await closed;
    expect(await db.images.get(id)).toMatchObject({ status: 'uploading' });
  });
});
