import type { Logger } from '@glance-import/core';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';
import { restoreImage } from './restore.js';
import { LOCK_PROPERTY } from './lock.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const before = {
  status: 'uploading' as const,
  size: 3,
  virtual_size: null,
  checksum: null,
  os_hash_algo: null,
  os_hash_value: null,
  disk_format: 'raw',
  container_format: 'bare',
};

const recorder = () => {
  const warnings: string[] = [];
  return { warnings, log: { warn: (_o: unknown, msg: string) => warnings.push(msg), info: () => {} } as unknown as Logger };
};

const deps = () => ({ ...h.server.runtime, settings: { taskTtlHours: 48 } });

describe('restoreImage', () => {
  it('puts the image back and releases the lock; again, with the lock gone, it does nothing and warns of nothing', async () => {
    h = await harness();
    const { id } = (await h.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
    const db = h.server.runtime.db;
    await db.images.update(id, { columns: { status: 'importing', size: 3 }, setProperties: { [LOCK_PROPERTY]: 't1' } });
    const { warnings, log } = recorder();
    await restoreImage(deps(), id, 't1', before, ['local'], log);
    const image = (await db.images.get(id))!;
    expect(image).toMatchObject({ status: 'uploading', size: 3 });
    expect(image.properties[LOCK_PROPERTY]).toBeUndefined();
    await restoreImage(deps(), id, 't1', before, ['local'], log);
    expect(warnings).toEqual([]);
  });

  it('leaves an image whose lock another import holds, with a warning', async () => {
    h = await harness();
    const { id } = (await h.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
    const db = h.server.runtime.db;
    await db.images.update(id, { columns: { status: 'importing' }, setProperties: { [LOCK_PROPERTY]: 't2' } });
    const { warnings, log } = recorder();
    await restoreImage(deps(), id, 't1', before, ['local'], log);
    expect(await db.images.get(id)).toMatchObject({ status: 'importing', properties: { [LOCK_PROPERTY]: 't2' } });
    expect(warnings).toEqual(['import lock no longer held by this task; leaving the image to its new owner']);
  });

  it('completes, never rolls back, an import whose image went active with its data stored', async () => {
    h = await harness();
    const { id } = (await h.req('POST', '/v2/images', { body: { disk_format: 'raw', container_format: 'bare' } })).json;
    const db = h.server.runtime.db;
    await db.tasks.create({ id: 't1', type: 'api_image_import', owner: 'p1', image_id: id, request_id: null, user_id: null, input: {} });
    await db.tasks.update('t1', { status: 'processing' });
    await db.images.addLocation(id, { store: 'local', url: `file:///nowhere/${id}`, metadata: {}, status: 'active' });
    await db.images.update(id, { columns: { status: 'active', size: 5 }, setProperties: { [LOCK_PROPERTY]: 't1' } });
    const { warnings, log } = recorder();
    await restoreImage(deps(), id, 't1', before, ['local'], log);
    const image = (await db.images.get(id))!;
    expect(image).toMatchObject({ status: 'active', size: 5 });
    expect(image.properties[LOCK_PROPERTY]).toBeUndefined();
    expect(await db.tasks.get('t1')).toMatchObject({ status: 'success', result: { image_id: id } });
    expect(warnings).toEqual([]);
  });
});
