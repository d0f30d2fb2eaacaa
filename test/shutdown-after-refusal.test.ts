import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.js';
import { serve, tempDir, type RunningServer } from './support/glance-server.js';

// SIGTERM must stop the server whatever the imports before it did. Here the only store refuses the
// write before its first byte (it already holds a file of that image's name): the staged data is
// never read, and large data (hashed on worker threads from 64 MiB on) once kept the process alive.

const work = tempDir('shutdown-after-refusal');
let server: RunningServer | undefined;

afterAll(async () => {
  await server?.kill();
  work.remove();
});

describe('shutdown after an import whose only store refused the write', () => {
  it('SIGTERM stops the server at once', async () => {
    const storeDir = path.join(work.dir, 'only');
    mkdirSync(storeDir);
    const conf = path.join(work.dir, 'glance-api.conf');
    writeFileSync(
      conf,
      ['[DEFAULT]', 'enabled_backends = only:file', '[glance_store]', 'default_backend = only', '[only]', `filesystem_store_datadir = ${storeDir}`, ''].join(
        '\n',
      ),
    );
    server = await serve(path.join(work.dir, 'data'), ['--config-file', conf]);
    const api = new ApiClient(server.url, await server.token('alice', 'p1', ['member', 'reader']));
    const id = await api.create();
    writeFileSync(path.join(storeDir, id), 'not this image');
    expect((await api.stage(id, Buffer.alloc(65 * 1024 * 1024, 7))).status).toBe(204);
    expect((await api.importDirect(id)).status).toBe(202);
    const { image, task } = await api.settled(id);
    expect(task).toMatchObject({ status: 'failure', error_code: 'GI_IMPORT_STORES_FAILED' });
    expect(task.message).toContain(`Store 'only' already holds data for image ${id}`);
    expect(image).toMatchObject({ status: 'uploading' });
    const started = Date.now();
    server.signal('SIGTERM');
    const exit = await Promise.race([server.exited, new Promise<'still alive after 20 s'>((r) => setTimeout(() => r('still alive after 20 s'), 20_000))]);
    expect(exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 60_000);
});
