import { randomUUID } from 'node:crypto';
import { defineTask, Engine, linearFlow } from '@glance-import/core';
import { describe, expect, it } from 'vitest';
import { importTask, newImage } from './records.fixture.js';
import { BACKENDS, databasePerTest } from './test-backends.js';

describe.each(BACKENDS)('on %s', (backend) => {
  const fresh = databasePerTest(backend);

  describe('TaskRepository', () => {
    it('creates, updates conditionally, lists by owner with paging, and lists an image’s tasks', async () => {
      const db = await fresh().open();
      const mk = (owner: string, image: string | null) =>
        db.tasks.create({ id: randomUUID(), type: 'api_image_import', owner, image_id: image, request_id: 'req', user_id: 'u', input: { a: 1 } });
      const t1 = await mk('p1', 'img');
      await mk('p1', null);
      await mk('p2', 'img');
      expect(t1).toMatchObject({ status: 'pending', message: '', result: null, input: { a: 1 } });
      const done = await db.tasks.update(
        t1.id,
        { status: 'processing', progress: { phase: 'store', bytesDone: 5, updatedAt: 'x' } },
        { fromStatus: ['pending'] },
      );
      expect(done.progress).toMatchObject({ phase: 'store', bytesDone: 5 });
      await expect(db.tasks.update(t1.id, { status: 'processing' }, { fromStatus: ['pending'] })).rejects.toMatchObject({ code: 'GI_DB_CONFLICT' });
      expect((await db.tasks.list({ owner: 'p1', sort: { key: 'created_at', dir: 'desc' }, limit: 10 })).length).toBe(2);
      const page = await db.tasks.list({ sort: { key: 'created_at', dir: 'asc' }, limit: 2 });
      expect((await db.tasks.list({ sort: { key: 'created_at', dir: 'asc' }, limit: 2, marker: page[1]!.id })).length).toBe(1);
      expect((await db.tasks.listForImage('img')).length).toBe(2);
      await db.tasks.discard(t1.id);
      expect(await db.tasks.get(t1.id)).toBeUndefined();
      expect((await db.tasks.listForImage('img')).length).toBe(1);
    });

    it('records the node running a task and lists one node’s tasks, or those recorded with none', async () => {
      const db = await fresh().open();
      const mk = (node?: string) => db.tasks.create(importTask(node));
      const a = await mk('http://a:9292');
      const b = await mk('node-b');
      const none = await mk();
      expect(await db.tasks.get(a.id)).toMatchObject({ node: 'http://a:9292' });
      expect(none.node).toBeNull();
      const ids = async (node: string | null) =>
        (await db.tasks.list({ node, status: 'pending', sort: { key: 'created_at', dir: 'asc' }, limit: 10 })).map((t) => t.id);
      expect(await ids('http://a:9292')).toEqual([a.id]);
      expect(await ids('node-b')).toEqual([b.id]);
      expect(await ids(null)).toEqual([none.id]);
    });

    it('finds the finished tasks of a node that an image property still names', async () => {
      const db = await fresh().open();
      const image = async () => (await db.images.create(newImage())).id;
      const task = async (node: string | undefined, status: 'success' | 'failure' | 'processing') => {
        const t = await db.tasks.create(importTask(node));
        await db.tasks.update(t.id, { status });
        return t.id;
      };
      const [i1, i2, i3, i4, i5] = [await image(), await image(), await image(), await image(), await image()];
      const done = await task('a', 'success');
      const failed = await task(undefined, 'failure');
      await db.images.setPropertyIfAbsent(i1, 'lock', done);
      await db.images.setPropertyIfAbsent(i2, 'lock', failed);
      await db.images.setPropertyIfAbsent(i3, 'lock', await task('a', 'processing'));
      await db.images.setPropertyIfAbsent(i4, 'lock', await task('b', 'success'));
      await db.images.setPropertyIfAbsent(i5, 'other', await task('a', 'success'));
      const found = await db.tasks.finishedButNamed('lock', 'a');
      // Tasks created within one millisecond come in id order: compare as sets.
      expect(found.map((f) => [f.imageId, f.task.id, f.task.status]).sort()).toEqual(
        [
          [i1, done, 'success'],
          [i2, failed, 'failure'],
        ].sort(),
      );
      await db.images.markDeleted(i1);
      expect((await db.tasks.finishedButNamed('lock', 'a')).map((f) => f.imageId)).toEqual([i2]);
    });

    it("pages by keyset in any sort key, NULLs as empty, and refuses an unknown or foreign marker in Glance's words", async () => {
      const db = await fresh().open();
      const ids: string[] = [];
      for (const [owner, image] of [
        ['p1', 'b'],
        ['p1', null],
        ['p2', 'a'],
        ['p1', 'a'],
        ['p1', null],
      ] as const) {
        ids.push((await db.tasks.create({ id: randomUUID(), type: 'api_image_import', owner, image_id: image, request_id: null, user_id: 'u', input: {} })).id);
      }
      for (const sort of [
        { key: 'image_id', dir: 'asc' },
        { key: 'image_id', dir: 'desc' },
        { key: 'created_at', dir: 'desc' },
        { key: 'status', dir: 'asc' },
      ] as const) {
        const all = (await db.tasks.list({ sort, limit: 10 })).map((t) => t.id);
        const seen: string[] = [];
        let marker: string | undefined;
        for (let page = await db.tasks.list({ sort, limit: 2 }); page.length; page = await db.tasks.list({ sort, limit: 2, marker })) {
          seen.push(...page.map((t) => t.id));
          marker = page.at(-1)!.id;
        }
        expect(seen, JSON.stringify(sort)).toEqual(all);
        expect(seen.sort()).toEqual([...ids].sort());
      }
      expect((await db.tasks.list({ sort: { key: 'image_id', dir: 'asc' }, limit: 10 })).map((t) => t.image_id)).toEqual([null, null, 'a', 'a', 'b']);
      const unknown = randomUUID();
      await expect(db.tasks.list({ sort: { key: 'created_at', dir: 'desc' }, limit: 1, marker: unknown })).rejects.toMatchObject({
        code: 'GI_DB_MARKER_NOT_FOUND',
        status: 400,
        message: `Task with the given id ${unknown} was not found`,
      });
      await expect(db.tasks.list({ owner: 'p1', sort: { key: 'created_at', dir: 'desc' }, limit: 1, marker: ids[2]! })).rejects.toMatchObject({
        code: 'GI_DB_MARKER_FORBIDDEN',
        status: 403,
        message: `Forbidding request, task ${ids[2]} is not visible`,
      });
    });
  });

  describe('TokenRepository', () => {
    it('stores only a hash; verifies, expires and revokes', async () => {
      const db = await fresh().open();
      const t = await db.tokens.create({ userId: 'u', projectId: 'p', roles: ['member'] });
      expect(JSON.stringify(await db.driver.query('SELECT * FROM tokens'))).not.toContain(t);
      expect(await db.tokens.verify(t)).toMatchObject({ userId: 'u', projectId: 'p', roles: ['member'] });
      expect(await db.tokens.verify('nope')).toBeUndefined();
      const old = await db.tokens.create({ userId: 'u', projectId: 'p', roles: [] }, { expiresAt: new Date(Date.now() - 1000) });
      expect(await db.tokens.verify(old)).toBeUndefined();
      expect(await db.tokens.revoke(t)).toBe(true);
      expect(await db.tokens.verify(t)).toBeUndefined();
    });

    it('lists tokens by id (the hash), never the token, and revokes by id', async () => {
      const db = await fresh().open();
      const t = await db.tokens.create({ userId: 'u', projectId: 'p', roles: ['member', 'reader'] }, { description: 'ci' });
      const listed = await db.tokens.list();
      expect(listed).toEqual([
        {
          id: expect.stringMatching(/^[0-9a-f]{64}$/),
          userId: 'u',
          projectId: 'p',
          roles: ['member', 'reader'],
          description: 'ci',
          createdAt: expect.any(String),
          expiresAt: null,
        },
      ]);
      expect(JSON.stringify(listed)).not.toContain(t);
      expect(await db.tokens.revokeById(listed[0]!.id)).toBe(true);
      expect(await db.tokens.revokeById(listed[0]!.id)).toBe(false);
      expect(await db.tokens.verify(t)).toBeUndefined();
    });
  });

  describe('SqlFlowPersistence', () => {
    it('persists every atom state of an engine run and resumes from it on another connection', async () => {
      const db = await fresh().open();
      const ran: string[] = [];
      const flow = (failB: boolean) =>
        linearFlow(
          'f',
          {},
          defineTask({
            name: 'a',
            provides: 'x',
            execute: () => {
              ran.push('a');
              return { path: '/a' };
            },
          }),
          defineTask({
            name: 'b',
            requires: ['x'],
            execute: ({ x }) => {
              ran.push(`b ${JSON.stringify(x)}`);
              if (failB) throw new Error('crash');
            },
          }),
        );
      await expect(new Engine(flow(true), { persistence: db.flows, flowId: 'f1' }).run()).rejects.toMatchObject({ code: 'GI_FLOW_FAILED' });
      const atoms = await db.flows.loadAtoms('f1');
      expect(atoms.map((a) => [a.atom, a.state])).toEqual(
        expect.arrayContaining([
          ['a', 'REVERTED'],
          ['b', 'REVERTED'],
        ]),
      );
      expect(atoms.find((a) => a.atom === 'a')!.result).toEqual({ path: '/a' });
      expect(atoms.find((a) => a.atom === 'b')!.error?.message).toBe('crash');
      await db.flows.saveAtom({ flowId: 'f2', atom: 'a', state: 'SUCCESS', attempt: 1, result: { path: '/kept' }, updatedAt: new Date().toISOString() });
      await db.close();
      const reopened = await fresh().open();
      ran.length = 0;
      await new Engine(flow(false), { persistence: reopened.flows, flowId: 'f2', resume: true }).run();
      expect(ran).toEqual(['b {"path":"/kept"}']);
      expect((await reopened.flows.loadFlow('f2'))?.state).toBe('SUCCESS');
    });

    it('after a crash, a new connection plans from the recorded atoms and rolls back with the recorded results', async () => {
      const db = await fresh().open();
      const at = new Date().toISOString();
      // What a process killed inside 'b' leaves in the database.
      await db.flows.saveFlow({ flowId: 'k1', name: 'f', state: 'RUNNING', updatedAt: at });
      await db.flows.saveAtom({ flowId: 'k1', atom: 'a', state: 'RUNNING', attempt: 1, updatedAt: at });
      await db.flows.saveAtom({ flowId: 'k1', atom: 'a', state: 'SUCCESS', attempt: 1, result: { path: '/a.out' }, updatedAt: at });
      await db.flows.saveAtom({ flowId: 'k1', atom: 'b', state: 'RUNNING', attempt: 1, updatedAt: at });
      await db.close();
      const reverted: string[] = [];
      const flow = (bRerunnable: boolean) =>
        linearFlow(
          'f',
          {},
          defineTask({
            name: 'a',
            provides: 'x',
            rerunnable: true,
            execute: () => ({ path: '/again' }),
            revert: (_i, o) => void reverted.push(`a ${o.kind} ${JSON.stringify(o.kind === 'success' ? o.value : null)}`),
          }),
          defineTask({ name: 'b', requires: ['x'], rerunnable: bRerunnable, execute: () => undefined, revert: (_i, o) => void reverted.push(`b ${o.kind}`) }),
        );
      const reopened = await fresh().open();
      expect(await new Engine(flow(true), { persistence: reopened.flows, flowId: 'k1' }).resumePlan()).toEqual({
        completed: ['a'],
        interrupted: ['b'],
        blockers: [],
      });
      const engine = new Engine(flow(false), { persistence: reopened.flows, flowId: 'k1' });
      expect((await engine.resumePlan()).blockers).toEqual(['b cannot safely run again']);
      await expect(engine.rollBack(new Error('restarted'))).rejects.toMatchObject({ code: 'GI_FLOW_FAILED', reverted: true });
      expect(reverted).toEqual(['b failure', 'a success {"path":"/a.out"}']);
      expect((await reopened.flows.loadAtoms('k1')).map((r) => [r.atom, r.state]).sort()).toEqual([
        ['a', 'REVERTED'],
        ['b', 'REVERTED'],
      ]);
      expect((await reopened.flows.loadFlow('k1'))?.state).toBe('REVERTED');
    });
  });
});
