import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Session } from './glanceclient.js';

/** Helpers of the suites that import through python-glanceclient into real `serve` processes. */

export const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
export const sha512 = (b: Buffer) => createHash('sha512').update(b).digest('hex');

/** What the client's `images.data` answers for these bytes (it checks os_hash_value itself). */
export const downloaded = (b: Buffer) => ({ size: b.length, md5: md5(b), sha512: sha512(b) });

/** Write `data` to `dir`/`name` for `data_file` (stage, upload) and return the path. */
export function dataFile(dir: string, name: string, data: Buffer): string {
  const f = path.join(dir, name);
  writeFileSync(f, data);
  return f;
}

export async function newImage(s: Session, extra: Record<string, unknown> = {}): Promise<string> {
  return (await s.ok('images.create', [], { name: 'e2e', disk_format: 'raw', container_format: 'bare', ...extra })).id as string;
}

export interface Settled {
  image: Record<string, any>;
  task: Record<string, any>;
  tasks: Array<Record<string, any>>;
}

/**
 * Wait until the image has `count` import tasks, the newest has ended and the image is out of
 * `importing` with its lock released: what a client polling `images.get` sees at the end of an import.
 */
export async function settled(s: Session, id: string, count = 1, timeoutMs = 20_000): Promise<Settled> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { tasks } = await s.ok<{ tasks: Array<Record<string, any>> }>('images.get_associated_image_tasks', [id]);
    const image = await s.ok<Record<string, any>>('images.get', [id]);
    const task = tasks[0];
    if (
      tasks.length >= count &&
      task &&
      ['success', 'failure'].includes(task.status) &&
      image.status !== 'importing' &&
      image.os_glance_import_task === undefined
    ) {
      return { image, task, tasks };
    }
    if (Date.now() > deadline) throw new Error(`the import of ${id} did not end within ${timeoutMs} ms: ${JSON.stringify({ image, tasks })}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** Wait for `what` to hold (a file to appear, a status), polling every 20 ms. */
export async function until<T>(what: string, probe: () => T | Promise<T>, done: (v: T) => boolean = Boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (done(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Entries of `dir` that belong to the image (`<id>`, `<id>.*`): staged data, store files, partial writes. */
export function filesOf(dir: string, id: string): string[] {
  return existsSync(dir) && statSync(dir).isDirectory()
    ? readdirSync(dir)
        .filter((f) => f.startsWith(id))
        .sort()
    : [];
}
