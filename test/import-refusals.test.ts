import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest, type Corpus } from './support/corpus.js';
import { ImageApi, PIPELINE_CONF, withServices } from './support/image-api.js';

// Each attack is refused by the import: the task fails with the reason, and the image is as it was
// staged (uploading, same properties, staged bytes intact, no lock), with nothing in the store.

let corpus: Corpus;
let api: ImageApi;
withServices([PIPELINE_CONF], (c, [a]) => {
  corpus = c;
  api = a!;
});

const gzip = async (file: string | Promise<string>) => corpus.compress(await file, 'gzip');

/**
 * Stage `file` (204), import it, and check that nothing but the task changed. `failedStores`: a
 * refusal before the store write names no store failed; one in the store write names the store.
 */
async function refusedImport(service: ImageApi, disk_format: string, file: string, failedStores = '') {
  const id = await service.createImage({ disk_format });
  expect((await service.stage(id, file)).status).toBe(204);
  const staged = await service.image(id);
  // Hidden properties (os_glance_stage_host) too: the record as the database holds it.
  const record = async () => (await service.server.runtime.db.images.get(id))!.properties;
  const stagedRecord = await record();
  const task = await service.importDirect(id);
  const image = await service.image(id);
  const progress = { os_glance_importing_to_stores: '', os_glance_failed_import: failedStores };
  expect(image).toEqual({ ...staged, updated_at: image.updated_at, ...progress });
  expect(await record()).toEqual({ ...stagedRecord, ...progress });
  expect(image).toMatchObject({ status: 'uploading', size: digest(file).size, checksum: null, virtual_size: null });
  expect(image.os_glance_import_task).toBeUndefined();
  expect(image.os_glance_inspection).toBeUndefined();
  expect(service.staged(id)).toEqual([id]);
  expect(digest(path.join(service.stagingDir, id))).toEqual(digest(file));
  expect(service.stored(id)).toEqual([]);
  expect((await service.download(id)).status).toBe(204);
  return { id, task, image };
}

// Unsafe images; gzipped, they pass staging and the inspector meets them after image_decompression.
const unsafe: Array<[string, string, () => Promise<string> | string, string]> = [
  ['a qcow2 with a backing file (/etc/passwd)', 'qcow2', () => corpus.backingFile(), 'qcow2 has a backing file'],
  ['a qcow2 with an external data-file', 'qcow2', () => corpus.dataFile(), 'qcow2 has an external data file (data_file)'],
  [
    'a vmdk descriptor whose flat extent is /etc/passwd',
    'vmdk',
    () => corpus.flatExtent(),
    "vmdk descriptor names extent files with a path; vmdk is a descriptor file whose extents are other files ('/etc/passwd'); vmdk createType 'monolithicFlat' is not allowed (allowed: streamOptimized, monolithicSparse)",
  ],
  ['a qcow2 cut off inside its header', 'qcow2', () => corpus.truncated(corpus.sources.qcow2.file, 300), 'qcow2 header is truncated (300 of 512 bytes)'],
];

describe('refused after decompression, by the inspector', () => {
  it.each(unsafe)('%s', async (_name, diskFormat, make, reason) => {
    const { task } = await refusedImport(api, diskFormat, await gzip(make()));
    const message = `Image failed safety checks: ${reason}.`;
    expect(task).toMatchObject({ status: 'failure', message, result: null, error_code: 'GI_IMPORT_UNSAFE' });
    expect(task.inspections).toEqual([
      expect.objectContaining({ phase: 'staged', verdict: 'compressed', format: 'gzip' }),
      expect.objectContaining({ phase: 'image_decompression', verdict: 'refused', reason: message }),
    ]);
    expect(task.progress.phases.map((p: { phase: string }) => p.phase)).not.toContain('Convert_Image');
  });

  it("a vmdk descriptor whose extent is another image's staged data", async () => {
    const victim = await api.createImage({ disk_format: 'raw' });
    writeFileSync(corpus.file('secret.raw'), "another project's disk");
    expect((await api.stage(victim, corpus.file('secret.raw'))).status).toBe(204);
    const { task } = await refusedImport(api, 'vmdk', await gzip(corpus.flatExtent('monolithicSparse', victim)));
    expect(task.message).toBe(`Image failed safety checks: vmdk is a descriptor file whose extents are other files ('${victim}').`);
  });

  it('qcow2 data declared vmdk', async () => {
    const { task } = await refusedImport(api, 'vmdk', await gzip(corpus.sources.qcow2.file));
    expect(task).toMatchObject({ message: 'Image disk_format vmdk does not match stream data qcow2.', result: null, error_code: 'GI_IMPORT_FORMAT_MISMATCH' });
  });
});

describe('refused by image_decompression', () => {
  const tooLarge = (format: string) =>
    `Decompressing the ${format} data went past ${16 << 20} bytes, the limit set by [image_decompression] max_ratio (times the compressed size, and at least 16 MiB); stopped, and the staged data is unchanged.`;
  it.each<[string, () => Promise<string> | string, string, string]>([
    [
      'zip slip',
      () => corpus.zipSlip(),
      'GI_DECOMPRESS_ZIP_UNSAFE_NAME',
      "The zip member '../../../../etc/cron.d/glance' has an unsafe name (invalid relative path); the archive is refused.",
    ],
    [
      'a zip of two files',
      () => corpus.multiMember(),
      'GI_DECOMPRESS_ZIP_MEMBERS',
      'The zip archive holds 2 members; image_decompression takes an archive with exactly one file.',
    ],
    ['a gzip bomb', () => corpus.bomb('gzip'), 'GI_DECOMPRESS_TOO_LARGE', tooLarge('gzip')],
    ['a zip bomb', () => corpus.bomb('zip'), 'GI_DECOMPRESS_TOO_LARGE', tooLarge('zip')],
    [
      'a truncated gzip',
      async () => corpus.truncated(await gzip(corpus.sources.qcow2.file), 500_000),
      'GI_DECOMPRESS_CORRUPT',
      'The staged data looks like gzip but cannot be decompressed: unexpected end of file.',
    ],
  ])('%s', async (_name, make, code, message) => {
    const { task } = await refusedImport(api, 'qcow2', await make());
    expect(task).toMatchObject({ status: 'failure', message, result: null, error_code: code });
    expect(task.inspections).toEqual([expect.objectContaining({ phase: 'staged', verdict: 'compressed' })]);
  });
});

describe('refused when staged, uncompressed (415)', () => {
  it.each(unsafe)('%s', async (_name, diskFormat, make, reason) => {
    const id = await api.createImage({ disk_format: diskFormat });
    const answer = await api.stage(id, await make());
    expect(answer).toMatchObject({ status: 415, json: { message: `Image failed safety checks: ${reason}.`, error_code: 'GI_IMPORT_UNSAFE' } });
    expect(await api.image(id)).toMatchObject({ status: 'queued', size: null });
    expect(api.staged(id)).toEqual([]);
  });
});

describe('retrying a refused import', () => {
  it('fails the same way until the problem is fixed; then DELETE /stage, fix the image, stage and import', async () => {
    const data = await gzip(corpus.sources.qcow2.file);
    const { id, task } = await refusedImport(api, 'vmdk', data);
    const again = await api.importDirect(id);
    expect(again).toMatchObject({ status: 'failure', message: task.message });
    expect(again.id).not.toBe(task.id);

    expect((await api.call('DELETE', `/v2/images/${id}/stage`)).status).toBe(204);
    expect(await api.image(id)).toMatchObject({ status: 'queued', size: null });
    expect(api.staged(id)).toEqual([]);
    const patch = await api.call('PATCH', `/v2/images/${id}`, {
      json: [{ op: 'replace', path: '/disk_format', value: 'qcow2' }],
      headers: { 'content-type': 'application/openstack-images-v2.1-json-patch' },
    });
    expect(patch.status).toBe(200);
    expect((await api.stage(id, data)).status).toBe(204);
    const done = await api.importDirect(id);
    expect(done.status).toBe('success');
    expect(await api.image(id)).toMatchObject({ status: 'active', disk_format: 'raw', checksum: corpus.sources.qcow2.raw.md5, os_glance_failed_import: '' });
    expect((await api.tasks(id)).map((t) => t.status)).toEqual(['success', 'failure', 'failure']);
  });
});

describe('a plugin refusing after another changed the data', () => {
  let small: ImageApi;
  beforeAll(async () => {
    small = await ImageApi.start(`${PIPELINE_CONF}\n[DEFAULT]\nimage_size_cap = ${8 << 20}\n`);
  });
  afterAll(() => small?.close());

  it('image_conversion refuses a raw output over image_size_cap: both plugins revert, and the import can be called again', async () => {
    const data = await gzip(corpus.sources.qcow2.file);
    const { id, task } = await refusedImport(small, 'qcow2', data);
    expect(task).toMatchObject({
      message: `The converted image would take ${12 << 20} bytes, more than [DEFAULT] image_size_cap allows (${8 << 20}).`,
      result: null,
      error_code: 'GI_CONVERT_TOO_LARGE',
    });
    expect(task.inspections.map((r: { verdict: string; format: string }) => `${r.verdict} ${r.format}`)).toEqual(['compressed gzip', 'ok qcow2']);
    expect(task.progress.phases.map((p: { phase: string }) => p.phase)).toContain('Convert_Image');
    expect(await small.importDirect(id)).toMatchObject({ status: 'failure', message: task.message });
    expect(small.staged(id)).toEqual([id]);
  });
});

describe('a failure after every plugin ran', () => {
  let tight: ImageApi;
  let cap: number;
  beforeAll(async () => {
    // Between the vmdk and its qcow2 conversion: staging and decompression fit, the store write does not.
    const { vmdk, qcow2 } = corpus.sources;
    cap = Math.round((digest(vmdk.file).size + digest(qcow2.file).size) / 2);
    expect(digest(vmdk.file).size).toBeLessThan(cap);
    expect(digest(qcow2.file).size).toBeGreaterThan(cap);
    tight = await ImageApi.start(`${PIPELINE_CONF}\n[DEFAULT]\nimage_size_cap = ${cap}\n\n[image_conversion]\noutput_format = qcow2\n`);
  });
  afterAll(() => tight?.close());

  it('reverts all three plugins: no injected properties, disk_format and size as staged, no converted or decompressed file', async () => {
    const { id, task } = await refusedImport(tight, 'vmdk', await corpus.compress(corpus.sources.vmdk.file, 'zstd'), 'local');
    expect(task).toMatchObject({
      message: `The incoming image is too large: it passed the limit of ${cap} bytes.`,
      result: null,
      error_code: 'GI_STORE_TOO_LARGE',
    });
    expect(task.inspections.map((r: { format: string }) => r.format)).toEqual(['zstd', 'vmdk', 'qcow2']);
    expect(task.progress.phases.map((p: { phase: string }) => p.phase)).toEqual(
      expect.arrayContaining(['Convert_Image', 'InjectMetadataProperties', 'ImportToStore']),
    );
    const atoms = await tight.server.runtime.db.flows.loadAtoms(task.id);
    const outcome = (name: string) => atoms.find((a) => a.atom.startsWith(name));
    // The plugins wrote beside the staged upload, and their reverts removed what they wrote.
    expect(outcome('Decompress_Image')).toMatchObject({ state: 'REVERTED', result: { file_path: path.join(tight.stagingDir, `${id}.uc`) } });
    expect(outcome('Convert_Image')).toMatchObject({ state: 'REVERTED', result: path.join(tight.stagingDir, `${id}.uc.qcow2`) });
    expect(outcome('InjectMetadataProperties')?.state).toBe('REVERTED');
    expect(tight.staged(id)).toEqual([id]);
  });
});
