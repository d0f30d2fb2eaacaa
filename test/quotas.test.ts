import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFile, filesOf, md5, newImage, settled } from './support/client-import.js';
import { GlanceClientDriver, type Session } from './support/glanceclient.js';
import { serve, tempDir, type RunningServer } from './support/glance-server.js';
import { reply, webSource, type WebSource } from './support/web-source.js';

// Per-project limits ([DEFAULT] use_keystone_limits, [glance_import_limits]) and [DEFAULT]
// image_size_cap through python-glanceclient against real `glance-import serve` processes: each
// refusal is a 413 naming the limit ("<name> is over limit of N due to current usage U and delta D",
// Glance's wording, sizes in MiB), and leaves nothing half-written. Each test has a project of its own.

const MiB = 1024 * 1024;
const work = tempDir('quotas');
const bytes = (n: number) => Buffer.alloc(n, 0x5a);
let limited: RunningServer; // image_count_total 3, image_count_uploading 1, image_stage_total 2 MiB, image_size_total 3 MiB
let capped: RunningServer; // image_size_cap 3 MiB, no limits
let src: WebSource;
let driver: GlanceClientDriver;

const conf = (name: string, lines: string[]) => {
  const f = path.join(work.dir, name);
  writeFileSync(f, lines.join('\n'));
  return f;
};
const file = (name: string, data: Buffer) => dataFile(work.dir, name, data);

beforeAll(async () => {
  src = await webSource({ '/3mib.raw': reply.bytes(bytes(3 * MiB)), '/1mib.raw': reply.bytes(bytes(MiB)) });
  const filtering = ['[import_filtering_opts]', 'allow_local_addresses = true', `allowed_ports = 80, 443, ${src.port}`, ''];
  [limited, capped] = await Promise.all([
    serve(path.join(work.dir, 'limited'), [
      '--config-file',
      conf('limited.conf', [
        '[DEFAULT]',
        'use_keystone_limits = true',
        '',
        '[glance_import_limits]',
        'image_count_total = 3',
        'image_count_uploading = 1',
        'image_stage_total = 2',
        'image_size_total = 3',
        '',
        ...filtering,
      ]),
    ]),
    serve(path.join(work.dir, 'capped'), ['--config-file', conf('capped.conf', ['[DEFAULT]', `image_size_cap = ${3 * MiB}`, '', ...filtering])]),
  ]);
  driver = GlanceClientDriver.start();
}, 60_000);

afterAll(async () => {
  await driver?.close();
  await Promise.all([limited?.stop(), capped?.stop(), src?.close()]);
  work.remove();
});

/** A member of a project of its own on `server`. */
async function member(server: RunningServer, project: string): Promise<Session> {
  return driver.as(server.url, { token: await server.token(`user-${project}`, project, ['member', 'reader']) });
}

const overLimit = (name: string, limit: number, usage: number, delta: number) => ({
  type: 'HTTPOverLimit',
  status: 413,
  message: `413 Request Entity Too Large: ${name} is over limit of ${limit} due to current usage ${usage} and delta ${delta}`,
});
const staged = (server: RunningServer, id: string) => filesOf(path.join(server.dataDir, 'staging'), id);
const stored = (server: RunningServer, id: string) => filesOf(path.join(server.dataDir, 'images'), id);

describe('per-project limits', () => {
  it('image_count_total: the image past the limit is refused at create, and allowed again once one is deleted', async () => {
    const s = await member(limited, 'count');
    const ids = [await newImage(s), await newImage(s), await newImage(s)];
    expect(await s.fails('images.create', [], { name: 'fourth', disk_format: 'raw', container_format: 'bare' })).toEqual(
      overLimit('image_count_total', 3, 3, 1),
    );
    expect((await s.ok('images.list')).items).toHaveLength(3);
    expect(await s.ok('info.get_usage')).toMatchObject({ image_count_total: { usage: 3, limit: 3 } });
    await s.ok('images.delete', [ids[0]]);
    await newImage(s);
  });

  it('image_count_uploading: a second stage, or a web-download, waits until the first staged image is imported', async () => {
    const s = await member(limited, 'uploading');
    const first = await newImage(s);
    await s.ok('images.stage', [first], { data_file: file('first.raw', bytes(1000)) });
    const second = await newImage(s);
    expect(await s.fails('images.stage', [second], { data_file: file('second.raw', bytes(1000)) })).toEqual(overLimit('image_count_uploading', 1, 1, 1));
    expect(await s.ok('images.get', [second])).toMatchObject({ status: 'queued', size: null });
    expect(staged(limited, second)).toEqual([]);
    expect(await s.fails('images.image_import', [second], { method: 'web-download', uri: `${src.url}/1mib.raw` })).toEqual(
      overLimit('image_count_uploading', 1, 1, 1),
    );
    expect((await s.ok('images.get_associated_image_tasks', [second])).tasks).toEqual([]);

    await s.ok('images.image_import', [first], { method: 'glance-direct' });
    expect((await settled(s, first)).image.status).toBe('active');
    await s.ok('images.stage', [second], { data_file: file('second.raw', bytes(1000)) });
    expect(await s.ok('images.get', [second])).toMatchObject({ status: 'uploading', size: 1000 });
  });

  it('image_stage_total: a stage past it is stopped while streaming, nothing kept; a web-download past it fails its task naming the limit', async () => {
    const s = await member(limited, 'stage');
    const id = await newImage(s);
    expect(await s.fails('images.stage', [id], { data_file: file('stage.raw', bytes(3 * MiB)) })).toEqual(overLimit('image_stage_total', 2, 0, 3));
    expect(await s.ok('images.get', [id])).toMatchObject({ status: 'queued', size: null });
    expect(staged(limited, id)).toEqual([]);
    expect(await s.ok('info.get_usage')).toMatchObject({ image_stage_total: { usage: 0, limit: 2 } });

    await s.ok('images.image_import', [id], { method: 'web-download', uri: `${src.url}/3mib.raw` });
    const { image, task } = await settled(s, id);
    expect(task).toMatchObject({ status: 'failure', message: 'image_stage_total is over limit of 2 due to current usage 0 and delta 3' });
    expect(image).toMatchObject({ status: 'queued', size: null, checksum: null });
    expect(staged(limited, id)).toEqual([]);
    expect(stored(limited, id)).toEqual([]);
  });

  it('image_size_total: an import or an upload past it answers 413; once an image is deleted the same import succeeds', async () => {
    const s = await member(limited, 'size');
    const first = await newImage(s);
    await s.ok('images.upload', [first], { data_file: file('first.raw', bytes(2 * MiB)) });
    expect(await s.ok('info.get_usage')).toMatchObject({ image_size_total: { usage: 2, limit: 3 } });

    const upload = await newImage(s);
    expect(await s.fails('images.upload', [upload], { data_file: file('upload.raw', bytes(2 * MiB)) })).toEqual(overLimit('image_size_total', 3, 2, 2));
    expect(await s.ok('images.get', [upload])).toMatchObject({ status: 'queued', size: null, checksum: null });
    expect(stored(limited, upload)).toEqual([]);

    const second = await newImage(s);
    await s.ok('images.stage', [second], { data_file: file('second.raw', bytes(2 * MiB)) });
    expect(await s.fails('images.image_import', [second], { method: 'glance-direct' })).toEqual(overLimit('image_size_total', 3, 2, 2));
    expect(await s.ok('images.get', [second])).toMatchObject({ status: 'uploading', size: 2 * MiB });
    expect((await s.ok('images.get_associated_image_tasks', [second])).tasks).toEqual([]);
    expect(staged(limited, second)).toEqual([second]);

    await s.ok('images.delete', [first]);
    await s.ok('images.image_import', [second], { method: 'glance-direct' });
    expect((await settled(s, second)).image).toMatchObject({ status: 'active', size: 2 * MiB, checksum: md5(bytes(2 * MiB)) });
    expect(await s.ok('info.get_usage')).toEqual({
      image_size_total: { usage: 2, limit: 3 },
      image_stage_total: { usage: 0, limit: 2 },
      image_count_total: { usage: 2, limit: 3 },
      image_count_uploading: { usage: 0, limit: 1 },
    });
  });
});

describe('image_size_cap', () => {
  it.each(['stage', 'upload'])('images.%s of one byte more than the cap answers 413; the image is queued with nothing kept', async (call) => {
    const s = await member(capped, `cap-${call}`);
    const id = await newImage(s);
    expect(await s.fails(`images.${call}`, [id], { data_file: file(`${call}.raw`, bytes(3 * MiB + 1)) })).toMatchObject({
      type: 'HTTPOverLimit',
      status: 413,
      message: expect.stringContaining('The incoming image is too large'),
    });
    expect(await s.ok('images.get', [id])).toMatchObject({ status: 'queued', size: null, checksum: null });
    expect(staged(capped, id)).toEqual([]);
    expect(stored(capped, id)).toEqual([]);
    await s.ok(`images.${call}`, [id], { data_file: file(`${call}.raw`, bytes(3 * MiB)) });
    expect((await s.ok('images.get', [id])).size).toBe(3 * MiB);
  });
});
