import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { digest, type Compression, type Corpus, type SourceFormat } from './support/corpus.js';
import { PIPELINE_CONF, withServices, type ImageApi } from './support/image-api.js';

// The proof through the server: image_decompression, image_conversion and
// inject_image_metadata, discovered as workspace packages, turn compressed disk images made by
// qemu-img into active raw images.

const INJECTED = { hw_firmware_type: 'uefi', os_distro: 'e2e-linux' };
let corpus: Corpus;
let api: ImageApi;
withServices([PIPELINE_CONF], (c, [a]) => {
  corpus = c;
  api = a!;
});

/** Create, stage the compressed source, import; the image, its task and what was staged. */
async function importCompressed(format: SourceFormat, how: Compression, token = api.tokens.member) {
  const source = corpus.sources[format];
  const staged = await corpus.compress(source.file, how);
  const id = await api.createImage({ disk_format: format }, token);
  expect((await api.stage(id, staged, token)).status).toBe(204);
  expect(await api.image(id)).toMatchObject({ status: 'uploading', size: digest(staged).size, disk_format: format });
  expect((await api.server.runtime.db.images.get(id))!.properties.os_glance_stage_host).toBe('http://127.0.0.1:9292');
  const task = await api.importDirect(id, token);
  return { id, source, staged, task, image: await api.image(id) };
}

describe('image_decompression → image_conversion → inject_image_metadata', () => {
  it('serves the three plugins found in the workspace, in config order', () => {
    expect(api.server.runtime.plugins.map((p) => [p.name, p.entryPoint.packageName])).toEqual([
      ['image_decompression', '@glance-import/plugin-decompress'],
      ['image_conversion', '@glance-import/plugin-convert'],
      ['inject_image_metadata', '@glance-import/plugin-inject-metadata'],
    ]);
  });

  it("a member's gzipped qcow2 becomes an active raw image: qemu-img's raw output, its hashes, the injected properties", async () => {
    const { id, source, task, image } = await importCompressed('qcow2', 'gzip');
    expect(task).toMatchObject({ status: 'success', message: expect.stringMatching(/^Copied \d+ MiB$/), result: { image_id: id } });
    expect(image).toMatchObject({
      status: 'active',
      disk_format: 'raw',
      container_format: 'bare',
      virtual_size: source.virtualSize,
      size: source.raw.size,
      checksum: source.raw.md5,
      os_hash_algo: 'sha512',
      os_hash_value: source.raw.sha512,
      stores: 'local',
      os_glance_importing_to_stores: '',
      os_glance_failed_import: '',
      ...INJECTED,
    });
    expect(source.virtualSize).toBe(12 << 20);
    expect(image.os_glance_import_task).toBeUndefined();
    expect((await api.server.runtime.db.images.get(id))!.properties.os_glance_stage_host).toBeUndefined();
    const served = await api.download(id);
    expect(served.status).toBe(200);
    expect(digest(served.data)).toEqual(source.raw);
    // The staged upload, the decompressed <id>.uc and the converted <id>.uc.raw are all gone.
    expect(api.staged(id)).toEqual([]);
    expect(api.stored(id)).toEqual([path.join('images', id)]);
  });

  it('inspects the staged data, then again after each plugin that rewrote it; the task keeps every verdict, the image the last', async () => {
    const { id, source, staged, task, image } = await importCompressed('qcow2', 'gzip');
    const qcow2Checks = ['backing_file', 'data_file', 'unknown_features', 'virtual_size', 'format_match'].map((name) => ({ name, passed: true }));
    expect(task.inspections).toEqual([
      {
        phase: 'staged',
        verdict: 'compressed',
        format: 'gzip',
        disk_format: 'qcow2',
        virtual_size: null,
        checks: [],
        inspector_version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      },
      {
        phase: 'image_decompression',
        verdict: 'ok',
        format: 'qcow2',
        disk_format: 'qcow2',
        virtual_size: source.virtualSize,
        checks: qcow2Checks,
        inspector_version: expect.any(String),
      },
      {
        phase: 'image_conversion',
        verdict: 'ok',
        format: 'raw',
        disk_format: 'raw',
        virtual_size: source.virtualSize,
        checks: [{ name: 'format_match', passed: true }],
        inspector_version: expect.any(String),
      },
    ]);
    expect(JSON.parse(image.os_glance_inspection)).toEqual(task.inspections[2]);

    const phases = task.progress.phases as Array<{ phase: string; bytes?: number; startedAt: string; endedAt: string }>;
    expect(phases.map((p) => p.phase)).toEqual([
      'ImageLock',
      'VerifyStaging',
      'Inspect-staged',
      'Decompress_Image',
      'Inspect-image_decompression',
      'Convert_Image',
      'Inspect-image_conversion',
      'InjectMetadataProperties',
      'ImportToStore',
      'DeleteFromStaging',
      'CompleteTask',
    ]);
    const bytes = Object.fromEntries(phases.filter((p) => p.bytes !== undefined).map((p) => [p.phase, p.bytes]));
    expect(bytes).toEqual({ Decompress_Image: digest(staged).size, Convert_Image: source.virtualSize, ImportToStore: source.raw.size });
    expect(phases.every((p) => p.endedAt >= p.startedAt)).toBe(true);
    expect(task.progress.stores).toEqual({ local: { status: 'done', bytesDone: source.raw.size } });

    // The Tasks API (admin) shows the same record.
    const full = await api.call('GET', `/v2/tasks/${task.id}`, { token: api.tokens.admin });
    expect(full.json).toMatchObject({
      id: task.id,
      status: 'success',
      image_id: id,
      user_id: 'alice',
      result: { image_id: id },
      progress: task.progress,
      inspections: task.inspections,
      error_code: null,
    });
  });

  it.each<[SourceFormat, Compression]>([
    ['vmdk', 'zstd'],
    ['vhd', 'xz'],
    ['vdi', 'bzip2'],
    ['qcow2', 'zip'],
  ])('a %s compressed with %s becomes the same active raw image', async (format, how) => {
    const { id, source, task, image } = await importCompressed(format, how);
    expect(task.status).toBe('success');
    expect(image).toMatchObject({
      status: 'active',
      disk_format: 'raw',
      virtual_size: source.virtualSize,
      size: source.raw.size,
      checksum: source.raw.md5,
      os_hash_value: source.raw.sha512,
      ...INJECTED,
    });
    expect(task.inspections.map((r: { format: string }) => r.format)).toEqual([how, format, 'raw']);
    expect(api.staged(id)).toEqual([]);
  });

  it("an admin's import gets nothing injected ([inject_metadata_properties] ignore_user_roles = admin)", async () => {
    const { image } = await importCompressed('qcow2', 'gzip', api.tokens.admin);
    expect(image).toMatchObject({ status: 'active', disk_format: 'raw', owner: 'admin-project' });
    for (const key of Object.keys(INJECTED)) expect(image).not.toHaveProperty(key);
  });
});
