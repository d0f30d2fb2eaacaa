import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileStore } from './file-store.js';
import { fixture, IMAGE_ID, list, MiB, tempDir } from './data.fixture.js';

const SHM = '/dev/shm';
// Another file system than the temp dirs (tmpfs), where there is one: link() answers EXDEV there.
const otherFs = (() => {
  try {
    return statSync(SHM).dev !== statSync(tempDir()).dev;
  } catch {
    return false;
  }
})();

describe('a file store takes a local file', () => {
  it('addFile: a copy of its own (another inode, the same bytes), atomically; the file keeps its name; never over an existing image', async () => {
    const fx = fixture(3 * MiB + 17);
    const dir = tempDir();
    const store = createFileStore('b', { dir });
    const { location } = await store.addFile!(IMAGE_ID, fx.file, { expectedBytes: fx.data.length });
    const copy = path.join(dir, IMAGE_ID);
    expect(location).toBe(`file://${copy}`);
    expect(statSync(copy).ino).not.toBe(statSync(fx.file).ino);
    expect(statSync(fx.file).nlink).toBe(1);
    expect(readFileSync(copy).equals(fx.data)).toBe(true);
    await expect(store.addFile!(IMAGE_ID, fx.file)).rejects.toMatchObject({ code: 'GI_STORE_DUPLICATE' });
    expect(list(dir)).toEqual([IMAGE_ID]);
  });

  it.runIf(otherFs)('from another file system: adopt declines (no link across file systems), addFile copies', async () => {
    const src = mkdtempSync(path.join(SHM, 'gi-store-'));
    try {
      const fx = fixture(2 * MiB + 1, src);
      const dir = tempDir();
      const store = createFileStore('b', { dir });
      expect(await store.adopt!(IMAGE_ID, fx.file)).toBeUndefined();
      expect(list(dir)).toEqual([]);
      await store.addFile!(IMAGE_ID, fx.file, { expectedBytes: fx.data.length });
      expect(readFileSync(path.join(dir, IMAGE_ID)).equals(fx.data)).toBe(true);
      expect(list(dir)).toEqual([IMAGE_ID]);
    } finally {
      rmSync(src, { recursive: true, force: true });
    }
  });

  it('addFile leaves nothing behind when it fails: a copy of another size, an abort, a missing source, a store directory gone', async () => {
    const fx = fixture(MiB);
    const dir = tempDir();
    const store = createFileStore('b', { dir });
    await expect(store.addFile!(IMAGE_ID, fx.file, { expectedBytes: MiB + 1 })).rejects.toMatchObject({ code: 'GI_STORE_SIZE_MISMATCH' });
    // Aborted while the kernel copies: honoured once the copy returns.
    const stop = new AbortController();
    const copying = store.addFile!(IMAGE_ID, fx.file, { signal: stop.signal });
    stop.abort();
    await expect(copying).rejects.toMatchObject({ code: 'GI_STORE_ABORTED' });
    await expect(store.addFile!(IMAGE_ID, path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'GI_STORE_WRITE_DENIED' });
    expect(list(dir)).toEqual([]);
    rmSync(dir, { recursive: true });
    await expect(store.addFile!(IMAGE_ID, fx.file)).rejects.toMatchObject({ code: 'GI_STORE_WRITE_DENIED' });
  });
});
