import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cause, convert, fromRaw, processesMentioning, rawData, slowQemuImg, staged, workDir } from './images.fixture.js';

const PATH = process.env.PATH;

describe('image_conversion stops qemu-img', () => {
  const dir = workDir();
  const qcow2 = fromRaw(rawData(dir, 'disk.raw', 32), 'qcow2', 'disk.qcow2');
  const image = { disk_format: 'qcow2' };
  afterEach(() => {
    process.env.PATH = PATH;
  });

  it('when the import is aborted, and cleans up after it', async () => {
    process.env.PATH = `${slowQemuImg()}:${PATH}`;
    const controller = new AbortController();
    const started = Date.now();
    const id = randomUUID();
    const running = convert({ file: qcow2, image: { ...image, id }, signal: controller.signal });
    // Abort once qemu-img has started writing this import's output.
    while (processesMentioning(`${id}.raw.part`).length === 0) await new Promise((r) => setTimeout(r, 20));
    controller.abort(new Error('user cancelled the import'));
    const run = await running;
    expect(run.ok).toBe(false);
    expect(run.error?.code).toBe('GI_FLOW_CANCELLED');
    expect(run.error?.failures.map((f) => (f.error as { code?: string }).code)).toContain('GI_CONVERT_CANCELLED');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(processesMentioning(run.stagingDir)).toEqual([]);
    expect(staged(run)).toEqual([run.image.id]);
    expect(run.changes).toEqual({});
  }, 30_000);

  it('when it outlives convert_timeout', async () => {
    process.env.PATH = `${slowQemuImg()}:${PATH}`;
    const run = await convert({ file: qcow2, image, options: { convert_timeout: 1 } });
    expect(cause(run)).toMatchObject({ code: 'GI_CONVERT_TIMEOUT', message: 'qemu-img convert did not finish within 1 s and was stopped.' });
    expect(processesMentioning(run.stagingDir)).toEqual([]);
    expect(existsSync(path.join(run.stagingDir, `${run.image.id}.raw.part`))).toBe(false);
  }, 30_000);

  it('and says so when there is no qemu-img at all', async () => {
    process.env.PATH = workDir();
    const run = await convert({ file: qcow2, image });
    expect(cause(run)).toMatchObject({ code: 'GI_CONVERT_QEMU_IMG_MISSING' });
    expect(staged(run)).toEqual([run.image.id]);
  });
});
