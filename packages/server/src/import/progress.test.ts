import { randomUUID } from 'node:crypto';
import { openDatabase } from '@glance-import/db';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../metrics.js';
import { ImportProgress } from './progress.js';

describe('ImportProgress', () => {
  it('keeps writing the task while nothing reports, so a live import’s lock stays fresh', async () => {
    const db = await openDatabase(':memory:');
    const task = await db.tasks.create({ id: randomUUID(), type: 'api_image_import', owner: 'p', image_id: null, request_id: null, user_id: null, input: {} });
    await db.tasks.update(task.id, { status: 'processing' });
    const progress = new ImportProgress(db, task.id, new Metrics(), 1000, 50);
    progress.enter('Convert_Image');
    await progress.written();
    const first = (await db.tasks.get(task.id))!.updated_at;
    await new Promise((r) => setTimeout(r, 200));
    await progress.written();
    const later = (await db.tasks.get(task.id))!.updated_at;
    await progress.finish();
    expect(later > first).toBe(true);
    expect((await db.tasks.get(task.id))!.progress?.phase).toBe('Convert_Image');
  });
});
