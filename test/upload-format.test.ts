import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { digest, type Corpus } from './support/corpus.js';
import { withServices, type ImageApi } from './support/image-api.js';

// Uploads with no plugin to run (PUT /file, and PUT /stage on a service without import plugins):
// data that is not what disk_format says, or is unsafe, is refused with 415 as it streams
// (Glance 2025.1+, [image_format] require_image_format_match), and leaves the image queued.

let corpus: Corpus;
let strict: ImageApi;
let lax: ImageApi;
withServices(
  [
    '[image_import_opts]\nimage_import_plugins = []\n',
    '[image_import_opts]\nimage_import_plugins = []\n\n[image_format]\nrequire_image_format_match = false\n',
  ],
  (c, [s, l]) => {
    corpus = c;
    strict = s!;
    lax = l!;
  },
);

const ROUTES = ['file', 'stage'] as const;

async function upload(api: ImageApi, route: string, disk_format: string, file: string) {
  const id = await api.createImage({ disk_format });
  const answer = await api.call('PUT', `/v2/images/${id}/${route}`, { data: readFileSync(file) });
  return { id, answer, image: await api.image(id) };
}

const refusals: Array<[string, string, () => Promise<string> | string, string, string]> = [
  [
    'qcow2 data declared vmdk',
    'vmdk',
    () => corpus.sources.qcow2.file,
    'GI_IMPORT_FORMAT_MISMATCH',
    'Image disk_format vmdk does not match stream data qcow2.',
  ],
  ['vdi data declared qcow2', 'qcow2', () => corpus.sources.vdi.file, 'GI_IMPORT_FORMAT_MISMATCH', 'Image disk_format qcow2 does not match stream data vdi.'],
  ['a qcow2 declared ami', 'ami', () => corpus.sources.qcow2.file, 'GI_IMPORT_FORMAT_MISMATCH', 'Image disk_format ami does not match stream data qcow2.'],
  [
    'a gzipped qcow2, with no plugin to decompress it',
    'qcow2',
    () => corpus.compress(corpus.sources.qcow2.file, 'gzip'),
    'GI_IMPORT_FORMAT_MISMATCH',
    'Image disk_format qcow2 does not match stream data gzip-compressed data.',
  ],
  ['a qcow2 with a backing file', 'qcow2', () => corpus.backingFile(), 'GI_IMPORT_UNSAFE', 'Image failed safety checks: qcow2 has a backing file.'],
  ['a qcow2 with a backing file declared raw', 'raw', () => corpus.backingFile(), 'GI_IMPORT_UNSAFE', 'Image failed safety checks: qcow2 has a backing file.'],
  [
    'a vmdk descriptor with a flat extent',
    'vmdk',
    () => corpus.flatExtent(),
    'GI_IMPORT_UNSAFE',
    expect.stringContaining("extents are other files ('/etc/passwd')"),
  ],
];

describe.each(ROUTES)('PUT /v2/images/{id}/%s without plugins', (route) => {
  it.each(refusals)('refuses %s with 415; the image stays queued with no data', async (_name, diskFormat, make, code, message) => {
    const { id, answer, image } = await upload(strict, route, diskFormat, await make());
    expect(answer).toMatchObject({ status: 415, json: { error_code: code, message } });
    expect(image).toMatchObject({ status: 'queued', size: null, checksum: null, virtual_size: null });
    expect(strict.staged(id)).toEqual([]);
    expect(strict.stored(id)).toEqual([]);
  });

  it('accepts a qcow2 declared qcow2, a qcow2 declared raw (stored as raw bytes) and a gzipped initramfs declared ari', async () => {
    const initramfs = corpus.file('initramfs');
    writeFileSync(initramfs, gzipSync(Buffer.from('070701 a cpio archive of the early userspace')));
    for (const [diskFormat, file] of [
      ['qcow2', corpus.sources.qcow2.file],
      ['raw', corpus.sources.qcow2.file],
      ['ari', initramfs],
    ] as const) {
      const { id, answer, image } = await upload(strict, route, diskFormat, file);
      expect(answer.status).toBe(204);
      expect(image).toMatchObject({ status: route === 'file' ? 'active' : 'uploading', size: digest(file).size });
      if (route === 'file') {
        expect(image.checksum).toBe(digest(file).md5);
        expect(image.virtual_size).toBe(diskFormat === 'qcow2' ? corpus.sources.qcow2.virtualSize : digest(file).size);
      } else {
        expect(strict.staged(id)).toEqual([id]);
      }
    }
  });

  it('with require_image_format_match = false, a mismatch is let through; unsafe data is not', async () => {
    expect((await upload(lax, route, 'vmdk', corpus.sources.qcow2.file)).answer.status).toBe(204);
    const unsafe = await upload(lax, route, 'qcow2', await corpus.backingFile());
    expect(unsafe.answer).toMatchObject({ status: 415, json: { error_code: 'GI_IMPORT_UNSAFE' } });
    expect(unsafe.image.status).toBe('queued');
  });
});
