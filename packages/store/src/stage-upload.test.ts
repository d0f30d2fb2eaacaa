import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StagingArea } from './staging.js';
import { CHECKPOINT_BYTES } from './stage-upload.js';
import { IMAGE_ID, list, MiB, stalling, tempDir, until } from './data.fixture.js';

describe('StagingArea uploads a client can resume', () => {
  const data = randomBytes(CHECKPOINT_BYTES + 3 * MiB);

  it('keeps a broken-off upload, durable, at its offset; a resume sends the rest and the stage is the whole data', async () => {
    const staging = new StagingArea(tempDir());
    const first = data.subarray(0, CHECKPOINT_BYTES + MiB);
    const { source, state } = stalling(first);
    const ac = new AbortController();
    const writing = staging.writeUpload(IMAGE_ID, source, { signal: ac.signal, hash: false });
    await until(() => state.reachedGate);
    ac.abort(new Error('client went away'));
    await expect(writing).rejects.toMatchObject({ code: 'GI_STORE_ABORTED' });
    expect(list(staging.dir)).toEqual([`${IMAGE_ID}.upload`, `${IMAGE_ID}.upload-offset`]);
    expect(await staging.has(IMAGE_ID)).toBe(false);
    expect(await staging.uploadOffset(IMAGE_ID)).toBe(first.length);

    // A kill after the last fsync leaves unsynced bytes past the offset: the resume cuts them off.
    writeFileSync(path.join(staging.dir, `${IMAGE_ID}.upload`), Buffer.alloc(100, 1), { flag: 'a' });
    async function* resumed() {
      yield* staging.readUpload(IMAGE_ID, first.length) as AsyncIterable<Buffer>;
      yield data.subarray(first.length);
    }
    const res = await staging.writeUpload(IMAGE_ID, resumed(), { hash: true, resumeAt: first.length });
    expect(res.size).toBe(data.length);
    expect(list(staging.dir)).toEqual([IMAGE_ID]);
    expect(readFileSync(staging.pathFor(IMAGE_ID)).equals(data)).toBe(true);
    expect(await staging.uploadOffset(IMAGE_ID)).toBeUndefined();
  });

  it('is a partial stage to the sweeper, spared by remove({ keepUpload }), and replaced by a fresh upload', async () => {
    const staging = new StagingArea(tempDir());
    const { source, state } = stalling(data.subarray(0, MiB));
    const ac = new AbortController();
    const writing = staging.writeUpload(IMAGE_ID, source, { signal: ac.signal, hash: false });
    await until(() => state.reachedGate);
    ac.abort(new Error('gone'));
    await writing.catch(() => undefined);
    writeFileSync(path.join(staging.dir, `${IMAGE_ID}.uc`), 'x');
    const asked: string[] = [];
    await staging.sweep(async () => true, { keep: async (_, e) => (asked.push(`${e.kind} ${e.name}`), true) });
    expect(asked.sort()).toEqual([`derived ${IMAGE_ID}.uc`, `partial ${IMAGE_ID}.upload`, `partial ${IMAGE_ID}.upload-offset`]);
    await staging.remove(IMAGE_ID, { keepUpload: true });
    expect(list(staging.dir)).toEqual([`${IMAGE_ID}.upload`, `${IMAGE_ID}.upload-offset`]);
    await staging.writeUpload(IMAGE_ID, Readable.from([data.subarray(0, 1000)]), { hash: false });
    expect(readFileSync(staging.pathFor(IMAGE_ID)).equals(data.subarray(0, 1000))).toBe(true);
    expect(list(staging.dir)).toEqual([IMAGE_ID]);
  });

  it('tells onWritten how much of the source it holds no more, up to all of it', async () => {
    const staging = new StagingArea(tempDir());
    const chunks = (from: number) =>
      Readable.from(Array.from({ length: Math.ceil((data.length - from) / MiB) }, (_, i) => data.subarray(from + i * MiB, from + (i + 1) * MiB)));
    const written: number[] = [];
    await staging.writeUpload(IMAGE_ID, chunks(0), { hash: false, onWritten: (n) => written.push(n) });
    expect(written.length).toBeGreaterThan(1);
    expect(written.at(-1)).toBe(data.length);
    expect([...written].sort((a, b) => a - b)).toEqual(written);
  });
});
