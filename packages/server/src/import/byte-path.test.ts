import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { definePlugin, defineTask, linearFlow } from '@glance-import/core';
import { rememberFileHashes, stagedHashes } from '@glance-import/store';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';
import { rewritePlugin } from '../testing/rewrite-plugin.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const octet = { 'content-type': 'application/octet-stream' };
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');
const data = randomBytes(2 * 1024 * 1024 + 9);

const threeStores = {
  DEFAULT: { enabled_backends: 'a:file, b:file, c:file' },
  glance_store: { default_backend: 'a' },
  a: { filesystem_store_datadir: '{data}/a' },
  b: { filesystem_store_datadir: '{data}/b' },
  c: { filesystem_store_datadir: '{data}/c' },
};

async function staged(payload: Buffer = data) {
  const { id } = (await h.req('POST', '/v2/images', { body: { name: 'b', disk_format: 'raw', container_format: 'bare' } })).json as { id: string };
  expect((await h.req('PUT', `/v2/images/${id}/stage`, { payload, headers: octet })).status).toBe(204);
  return id;
}

async function imported(id: string, stores?: string[], more: Record<string, unknown> = {}) {
  const body = { method: { name: 'glance-direct' }, ...(stores ? { stores } : {}), ...more };
  expect((await h.req('POST', `/v2/images/${id}/import`, { body })).status).toBe(202);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const [task] = (await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks as Array<{ status: string; message: string }>;
    if (task && ['success', 'failure'].includes(task.status)) return { task, image: (await h.req('GET', `/v2/images/${id}`)).json };
    if (Date.now() > deadline) throw new Error('import did not finish');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// /dev/shm is a tmpfs where there is one: a stage there cannot be hard-linked into a store in the data dir.
const shmIsAnotherFs = (() => {
  try {
    return statSync('/dev/shm').dev !== statSync(process.cwd()).dev;
  } catch {
    return false;
  }
})();

const rewritten = Buffer.concat([data, Buffer.from('tail')]);
/** A plugin that writes the data and a tail beside the stage, as its output (whose inode it notes). */
const rewriting = (output: { inode: number }) =>
  rewritePlugin((file, ctx) => {
    const out = path.join(ctx.stagingDir, `${ctx.imageId}.rewritten`);
    writeFileSync(out, Buffer.concat([readFileSync(file), Buffer.from('tail')]));
    output.inode = statSync(out).ino;
    return out;
  });

const hashesKept = async (id: string) => (await stagedHashes(h.server.runtime.staging, id, 'sha512')) !== undefined;

describe('the byte path of glance-direct', () => {
  it('hashes while staging and moves the staged file into a file store on the same file system (no copy)', async () => {
    h = await harness();
    const id = await staged();
    const stagedFile = h.server.runtime.staging.pathFor(id);
    const inode = statSync(stagedFile).ino;
    expect(await hashesKept(id)).toBe(true);
    const { task, image } = await imported(id);
    expect(task.status).toBe('success');
    expect(image).toMatchObject({ status: 'active', size: data.length, checksum: md5(data), os_hash_value: sha512(data) });
    const stored = path.join(h.dataDir, 'images', id);
    const file = (await h.req('GET', `/v2/images/${id}`)).json.locations?.[0]?.url?.slice('file://'.length) ?? stored;
    expect(statSync(file).ino).toBe(inode);
    expect(statSync(file).nlink).toBe(1);
    expect(md5(readFileSync(file))).toBe(md5(data));
  });

  it('never uses hashes of bytes the staged file no longer holds: it hashes during the store write instead', async () => {
    h = await harness();
    const id = await staged();
    const stagedFile = h.server.runtime.staging.pathFor(id);
    // The staged file rewritten in place after the stage (same inode, same size, later mtime).
    const at = statSync(stagedFile).mtimeMs;
    while (Date.now() < at + 20) await new Promise((r) => setTimeout(r, 5));
    const other = randomBytes(data.length);
    writeFileSync(stagedFile, other, { flag: 'r+' });
    const { task, image } = await imported(id);
    expect(task.status).toBe('success');
    expect(image).toMatchObject({ status: 'active', size: other.length, checksum: md5(other), os_hash_value: sha512(other) });
  });

  it('a resumed stage keeps no hashes (it was not hashed in one full pass): its import hashes during the store write', async () => {
    h = await harness();
    const url = await h.server.listen('127.0.0.1', 0);
    const { id } = (await h.req('POST', '/v2/images', { body: { name: 'r', disk_format: 'raw', container_format: 'bare' } })).json as { id: string };
    // A connection that breaks off after 1,000,000 bytes of the announced data.
    const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    socket.write(
      `PUT /v2/images/${id}/stage HTTP/1.1\r\nHost: x\r\nX-Auth-Token: ${h.tokens.member}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${data.length}\r\n\r\n`,
    );
    await new Promise((r) => socket.write(data.subarray(0, 1_000_000), r));
    socket.end();
    const deadline = Date.now() + 10_000;
    while ((await h.req('HEAD', `/v2/images/${id}/stage`)).headers['x-image-stage-state'] !== 'partial' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const rest = await h.req('PUT', `/v2/images/${id}/stage`, {
      headers: { ...octet, 'content-range': `bytes 1000000-*/${data.length}` },
      payload: data.subarray(1_000_000),
    });
    expect(rest.status).toBe(204);
    expect(await hashesKept(id)).toBe(false);
    const { task, image } = await imported(id);
    socket.destroy();
    h.server.app.server.closeAllConnections();
    expect(task.status).toBe('success');
    expect(image).toMatchObject({ status: 'active', size: data.length, checksum: md5(data), os_hash_value: sha512(data) });
  });

  it('to three file stores: one takes the staged file, two get copies, all with the staged hashes', async () => {
    h = await harness({ ini: threeStores });
    const id = await staged();
    const inode = statSync(h.server.runtime.staging.pathFor(id)).ino;
    const { task, image } = await imported(id, ['a', 'b', 'c']);
    expect(task.status).toBe('success');
    expect(image).toMatchObject({ status: 'active', stores: 'a,b,c', checksum: md5(data), os_hash_value: sha512(data) });
    const files = ['a', 'b', 'c'].map((s) => path.join(h.dataDir, s, id));
    expect(files.map((f) => md5(readFileSync(f)))).toEqual([md5(data), md5(data), md5(data)]);
    expect(files.map((f) => statSync(f).ino === inode)).toEqual([true, false, false]);
  });

  it('to three file stores, one of them broken: all_stores_must_succeed fails the import and leaves no file in any store or staging but the stage', async () => {
    h = await harness({ ini: threeStores });
    const id = await staged();
    rmSync(path.join(h.dataDir, 'c'), { recursive: true });
    const { task, image } = await imported(id, ['a', 'b', 'c']);
    expect(task.status).toBe('failure');
    expect(task.message).toContain('c');
    expect(image).toMatchObject({ status: 'uploading', os_glance_importing_to_stores: '' });
    expect(image.os_glance_failed_import).toContain('c');
    expect(['a', 'b'].map((s) => readdirSync(path.join(h.dataDir, s)))).toEqual([[], []]);
    expect(existsSync(path.join(h.dataDir, 'c'))).toBe(false);
    expect(readdirSync(h.server.runtime.staging.dir).filter((f) => f.startsWith(id))).toEqual([id]);
  });

  it('to three file stores, one of them broken, all_stores_must_succeed=false: the two others hold the image, the broken one is recorded', async () => {
    h = await harness({ ini: threeStores });
    const id = await staged();
    rmSync(path.join(h.dataDir, 'b'), { recursive: true });
    const { task, image } = await imported(id, ['a', 'b', 'c'], { all_stores_must_succeed: false });
    expect(task.status).toBe('success');
    expect(image).toMatchObject({ status: 'active', stores: 'a,c', os_glance_failed_import: 'b', checksum: md5(data) });
    expect(['a', 'c'].map((s) => md5(readFileSync(path.join(h.dataDir, s, id))))).toEqual([md5(data), md5(data)]);
  });

  it.runIf(shmIsAnotherFs)('staging on another file system than the file stores: no store can link the stage, each gets its own copy', async () => {
    const staging = mkdtempSync('/dev/shm/gi-staging-');
    try {
      h = await harness({ ini: { ...threeStores, os_glance_staging_store: { filesystem_store_datadir: staging } } });
      const id = await staged();
      const { task, image } = await imported(id, ['a', 'b', 'c']);
      expect(task.status).toBe('success');
      expect(image).toMatchObject({ status: 'active', stores: 'a,b,c', checksum: md5(data), os_hash_value: sha512(data) });
      expect(['a', 'b', 'c'].map((s) => md5(readFileSync(path.join(h.dataDir, s, id))))).toEqual([md5(data), md5(data), md5(data)]);
      expect(readdirSync(staging).filter((f) => f.startsWith(id))).toEqual([]);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  });

  it('a plugin that rewrites the data beside the stage: its output is moved into the store and hashed, the staged hashes unused', async () => {
    const output = { inode: 0 };
    h = await harness({ ini: { image_import_opts: { image_import_plugins: ['rewrite'] } }, plugins: { rewrite: rewriting(output) } });
    const id = await staged();
    const { task, image } = await imported(id);
    expect(task.status).toBe('success');
    expect(image).toMatchObject({ status: 'active', size: rewritten.length, checksum: md5(rewritten), os_hash_value: sha512(rewritten) });
    expect(statSync(path.join(h.dataDir, 'images', id)).ino).toBe(output.inode);
    expect(readdirSync(h.server.runtime.staging.dir).filter((f) => f.startsWith(id))).toEqual([]);
  });

  it("a plugin's output to three file stores: moved into one and hashed while the kernel copies it into the two others", async () => {
    const output = { inode: 0 };
    h = await harness({ ini: { ...threeStores, image_import_opts: { image_import_plugins: ['rewrite'] } }, plugins: { rewrite: rewriting(output) } });
    const id = await staged();
    const { task, image } = await imported(id, ['a', 'b', 'c']);
    expect(task.status).toBe('success');
    expect(image).toMatchObject({ status: 'active', stores: 'a,b,c', size: rewritten.length, checksum: md5(rewritten), os_hash_value: sha512(rewritten) });
    const files = ['a', 'b', 'c'].map((s) => path.join(h.dataDir, s, id));
    expect(files.map((f) => md5(readFileSync(f)))).toEqual([md5(rewritten), md5(rewritten), md5(rewritten)]);
    expect(files.map((f) => statSync(f).ino === output.inode)).toEqual([true, false, false]);
    expect(readdirSync(h.server.runtime.staging.dir).filter((f) => f.startsWith(id))).toEqual([]);
  });

  it('a plugin that surely rewrites the staged format: staging takes no hashes; the hashes it leaves with its output are recorded without reading it', async () => {
    const out = Buffer.concat([data, Buffer.from('converted')]);
    const lying = { size: out.length, checksum: 'c'.repeat(32), hashAlgo: 'sha512', hashValue: 'v'.repeat(128) };
    const convert = definePlugin({
      group: 'fake_convert',
      changesData: true,
      replacesData: (diskFormat) => diskFormat === 'raw',
      getFlow: (ctx) =>
        linearFlow(
          'fake_convert',
          {},
          defineTask<{ file_path: string }, string>({
            name: 'FakeConvert',
            requires: ['file_path'],
            provides: 'file_path',
            execute: async () => {
              expect(ctx.hashAlgo).toBe('sha512');
              const file = path.join(ctx.stagingDir, `${ctx.imageId}.qcow2`);
              writeFileSync(file, out);
              // Digests no store write would compute: seeing them on the image proves it did not read the file.
              await rememberFileHashes(file, lying);
              return file;
            },
          }),
        ),
    });
    h = await harness({ ini: { image_import_opts: { image_import_plugins: ['fake_convert'] } }, plugins: { fake_convert: convert } });
    const id = await staged();
    expect(await hashesKept(id)).toBe(false);
    const { task, image } = await imported(id);
    expect(task.status).toBe('success');
    expect(image).toMatchObject({ status: 'active', size: out.length, checksum: lying.checksum, os_hash_value: lying.hashValue });
  });
});
