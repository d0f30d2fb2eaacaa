import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Database } from './open.js';
import { newImage } from './records.fixture.js';
import { BACKENDS, databasePerTest } from './test-backends.js';
import type { NewImage } from './types.js';

// Two nodes are two connection pools on one database: what they race for, exactly one gets.

const LOCK = 'os_glance_import_task';
const ROUNDS = 20;

const image = (): NewImage => newImage({ name: 'raced', owner: 'p1' });

/** Each contender's call, all started together; the indexes of those that won. */
async function race(contenders: ReadonlyArray<() => Promise<boolean>>): Promise<number[]> {
  const results = await Promise.all(contenders.map((c) => c()));
  return results.flatMap((won, i) => (won ? [i] : []));
}

describe.each(BACKENDS)('two nodes on %s', (backend) => {
  const fresh = databasePerTest(backend);
  let a: Database;
  let b: Database;
  beforeEach(async () => {
    a = await fresh().open();
    b = await fresh().open();
  });

  it('racing for the import lock: exactly one takes it, and exactly one of two releases succeeds', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await a.images.create(image());
      // Several requests on each node, as under load: three per pool.
      const takers = [a, b, a, b, a, b].map((node, i) => () => node.images.setPropertyIfAbsent(id, LOCK, `task-${i}`));
      const won = await race(takers);
      expect(won).toHaveLength(1);
      const holder = `task-${won[0]}`;
      expect((await b.images.get(id))!.properties[LOCK]).toBe(holder);
      expect(await race([a, b].map((node) => () => node.images.deletePropertyIfEquals(id, LOCK, holder)))).toHaveLength(1);
      expect((await a.images.get(id))!.properties).toEqual({});
    }
  });

  it('racing a conditional status change (queued to importing): one changes it, the other gets GI_DB_CONFLICT', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await a.images.create(image());
      const outcomes = await Promise.allSettled(
        [a, b].map((node, i) =>
          node.images.update(
            id,
            { columns: { status: 'importing' }, setProperties: { os_glance_importing_to_stores: `node-${i}` } },
            { fromStatus: ['queued'] },
          ),
        ),
      );
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const lost = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')!;
      expect(lost.reason).toMatchObject({ code: 'GI_DB_CONFLICT', message: expect.stringContaining('status is importing, expected queued') });
      const winner = outcomes.findIndex((o) => o.status === 'fulfilled');
      expect((await b.images.get(id))!).toMatchObject({ status: 'importing', properties: { os_glance_importing_to_stores: `node-${winner}` } });
    }
  });

  it('releasing a stale lock with a change (a takeover): of several nodes, exactly one applies its change; the others get GI_DB_CONFLICT', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await a.images.create(image());
      await a.images.update(id, { columns: { status: 'importing' }, setProperties: { [LOCK]: 'stale' } });
      const outcomes = await Promise.allSettled(
        [a, b, a, b].map((node, i) =>
          node.images.update(
            id,
            { columns: { status: 'uploading' }, setProperties: { restored_by: `node-${i}` } },
            { whileProperty: { name: LOCK, value: 'stale', remove: true } },
          ),
        ),
      );
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
      expect(won).toHaveLength(1);
      expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.code)).toEqual(Array(3).fill('GI_DB_CONFLICT'));
      const after = (await b.images.get(id))!;
      expect(after).toMatchObject({ status: 'uploading', properties: { restored_by: `node-${won[0]}` } });
      expect(after.properties[LOCK]).toBeUndefined();
    }
  });

  it('an update while a lock is held: applied while it holds, GI_DB_CONFLICT once another task took the lock, the lock left as it is', async () => {
    const { id } = await a.images.create(image());
    await a.images.update(id, { columns: { status: 'importing' }, setProperties: { [LOCK]: 'task-1' } });
    await b.images.update(id, { columns: { status: 'active' } }, { fromStatus: ['importing'], whileProperty: { name: LOCK, value: 'task-1' } });
    expect((await a.images.get(id))!).toMatchObject({ status: 'active', properties: { [LOCK]: 'task-1' } });
    await a.images.update(id, { columns: { status: 'importing' }, setProperties: { [LOCK]: 'task-2' } });
    await expect(b.images.update(id, { columns: { status: 'active' } }, { whileProperty: { name: LOCK, value: 'task-1' } })).rejects.toMatchObject({
      code: 'GI_DB_CONFLICT',
      message: expect.stringContaining('os_glance_import_task is no longer task-1'),
    });
    await expect(
      b.images.update(id, { columns: { status: 'queued' } }, { whileProperty: { name: LOCK, value: 'task-1', remove: true } }),
    ).rejects.toMatchObject({
      code: 'GI_DB_CONFLICT',
    });
    expect((await a.images.get(id))!).toMatchObject({ status: 'importing', properties: { [LOCK]: 'task-2' } });
  });

  it('racing a task from pending to processing: one moves it', async () => {
    const task = await a.tasks.create({ id: randomUUID(), type: 'api_image_import', owner: 'p1', image_id: null, request_id: null, user_id: null, input: {} });
    const outcomes = await Promise.allSettled([a, b, a, b].map((node) => node.tasks.update(task.id, { status: 'processing' }, { fromStatus: ['pending'] })));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason.code)).toEqual([
      'GI_DB_CONFLICT',
      'GI_DB_CONFLICT',
      'GI_DB_CONFLICT',
    ]);
  });

  it('a property set by an update while another node takes it as a lock: never a unique violation', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { id } = await a.images.create(image());
      const [took] = await Promise.all([
        b.images.setPropertyIfAbsent(id, LOCK, 'from-lock'),
        a.images.update(id, { setProperties: { [LOCK]: 'from-update' } }),
      ]);
      const value = (await a.images.get(id))!.properties[LOCK];
      expect(took ? ['from-lock', 'from-update'] : ['from-update']).toContain(value);
    }
  });
});
