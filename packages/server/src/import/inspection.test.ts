import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';
import { rewritePlugin } from '../testing/rewrite-plugin.fixture.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const octet = { 'content-type': 'application/octet-stream' };

/** A 512-byte qcow2 v3 header whose backing file offset is set. */
function qcow2WithBackingFile(): Buffer {
  const b = Buffer.alloc(512);
  b.write('QFI\xfb', 0, 'latin1');
  b.writeUInt32BE(3, 4);
  b.writeBigUInt64BE(0x200n, 8);
  b.writeUInt32BE(16, 20);
  b.writeBigUInt64BE(1n << 20n, 24);
  return b;
}

/** A plugin that rewrites the data into `<file>.out` with `rewrite`, as a decompression plugin would. */
const rewriting = (rewrite: (data: Buffer) => Buffer, compressedIn = false) =>
  rewritePlugin(
    (file) => {
      writeFileSync(`${file}.out`, rewrite(readFileSync(file)));
      return `${file}.out`;
    },
    { changesData: true, ...(compressedIn ? { formats: { accepts: { compressed: true }, produces: () => ({ compressed: false }) } } : {}) },
  );

async function stageAndImport(data: Buffer) {
  const { id } = (await h.req('POST', '/v2/images', { body: { name: 'i', disk_format: 'raw', container_format: 'bare' } })).json as { id: string };
  expect((await h.req('PUT', `/v2/images/${id}/stage`, { payload: data, headers: octet })).status).toBe(204);
  await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
  await h.server.runtime.imports.drain();
  const task = (await h.req('GET', `/v2/images/${id}/tasks`)).json.tasks[0];
  return { id, task, image: (await h.req('GET', `/v2/images/${id}`)).json };
}

describe('inspection records', () => {
  it('a plugin that rewrites the data into something unsafe: refused, every inspection on the task, the image untouched', async () => {
    h = await harness({ ini: { image_import_opts: { image_import_plugins: ['rewrite'] } }, plugins: { rewrite: rewriting(qcow2WithBackingFile) } });
    const { task, image } = await stageAndImport(Buffer.from('plain raw data'));
    expect(task).toMatchObject({ status: 'failure', message: 'Image failed safety checks: qcow2 has a backing file.' });
    expect(task).toMatchObject({ result: null, error_code: 'GI_IMPORT_UNSAFE' });
    expect(task.inspections).toEqual([
      expect.objectContaining({ phase: 'staged', verdict: 'ok', format: 'raw', disk_format: 'raw', virtual_size: 14 }),
      expect.objectContaining({
        phase: 'rewrite',
        verdict: 'refused',
        format: 'qcow2',
        virtual_size: 1 << 20,
        reason: 'Image failed safety checks: qcow2 has a backing file.',
        checks: expect.arrayContaining([{ name: 'backing_file', passed: false, reason: 'qcow2 has a backing file' }]),
      }),
    ]);
    expect(task.inspections[0].inspector_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(image).toMatchObject({ status: 'uploading', size: 14, virtual_size: null });
    expect(image.os_glance_inspection).toBeUndefined();
  });

  it('a successful import: compressed, then the decompressed format on the task; the last one on the image', async () => {
    h = await harness({ ini: { image_import_opts: { image_import_plugins: ['rewrite'] } }, plugins: { rewrite: rewriting(gunzipSync, true) } });
    const { task, image } = await stageAndImport(gzipSync(Buffer.alloc(4096, 1)));
    expect(task.status).toBe('success');
    const [staged, after] = task.inspections;
    expect(staged).toMatchObject({ phase: 'staged', verdict: 'compressed', format: 'gzip', disk_format: 'raw', virtual_size: null, checks: [] });
    expect(after).toMatchObject({ phase: 'rewrite', verdict: 'ok', format: 'raw', virtual_size: 4096, checks: [{ name: 'format_match', passed: true }] });
    expect(task.result).toEqual({ image_id: image.id });
    expect(JSON.parse(image.os_glance_inspection)).toEqual(after);
    expect(image).toMatchObject({ status: 'active', size: 4096, virtual_size: 4096 });
  });
});
