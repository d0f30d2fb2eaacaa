import { createReadStream, statSync } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXIT, RemoteError, UsageError, type Io } from '../io.js';
import { PhaseBars, type TaskProgress } from '../phase-bars.js';
import { ProgressBar } from '../progress-bar.js';

export interface ImageImportArgs {
  name?: string;
  'disk-format'?: string;
  'container-format'?: string;
  method?: string;
  wait?: boolean;
  endpoint?: string;
  token?: string;
  'poll-interval'?: string;
}

interface Client { endpoint: string; token: string }

async function call(c: Client, method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; stream?: ReadableStream } = {}): Promise<Response> {
  const headers: Record<string, string> = { 'X-Auth-Token': c.token, Accept: 'application/json', ...init.headers };
  let body: string | ReadableStream | undefined;
  if (init.stream) body = init.stream;
  else if (init.body !== undefined) { body = JSON.stringify(init.body); headers['Content-Type'] ??= 'application/json'; }
  let res: Response;
  try {
    res = await fetch(`${c.endpoint}${path}`, { method, headers, ...(body ? { body } : {}), ...(init.stream ? { duplex: 'half' } : {}) } as RequestInit);
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    throw new RemoteError(`${method} ${c.endpoint}${path} failed: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
  }
  if (!res.ok) {
    const text = await res.text();
    let j: { message?: string; error_code?: string; hint?: string } = {};
    try { j = JSON.parse(text) as typeof j; } catch { /* not JSON: a proxy's page */ }
    const message = (j.message ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
    throw new RemoteError(`${method} ${path} answered ${res.status}: ${message}`, j.error_code ?? res.headers.get('x-glance-import-error-code') ?? undefined, j.hint);
  }
  return res;
}

/**
 * `glance-import image import FILE`: create the image, stage the file with a progress bar, call
 * import, and with --wait follow the task's progress object phase by phase until it ends.
 * Prints the image id on stdout; exits 1 with a one-line reason when the import fails.
 */
export async function imageImport(args: ImageImportArgs, positionals: string[], io: Io): Promise<number> {
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('image import takes exactly one FILE');
  if (!args.name) throw new UsageError('image import needs --name');
  if (!args['disk-format']) throw new UsageError('image import needs --disk-format');
  const method = args.method ?? 'glance-direct';
  if (method !== 'glance-direct') throw new UsageError(`--method ${method}: this command stages a local file, so only glance-direct applies`);
  const endpoint = (args.endpoint ?? process.env.OS_IMAGE_URL)?.replace(/\/+$/, '');
  const token = args.token ?? process.env.OS_AUTH_TOKEN;
  if (!endpoint) throw new UsageError('no endpoint: pass --endpoint or set OS_IMAGE_URL');
  if (!token) throw new UsageError('no token: pass --token or set OS_AUTH_TOKEN');
  let size: number;
  try { size = statSync(file).size; } catch { throw new UsageError(`cannot read ${file}`); }
  const c: Client = { endpoint, token };
  const tty = Boolean(process.stderr.isTTY);
  const errWrite = (s: string) => { process.stderr.write(s); };

  const image = await (await call(c, 'POST', '/v2/images', { body: { name: args.name, disk_format: args['disk-format'], container_format: args['container-format'] ?? 'bare' } })).json() as { id: string };
  io.out(image.id);
  const upload = new ProgressBar('upload ', errWrite, tty);
  let sent = 0;
  const counter = new Transform({ transform(chunk: Buffer, _e, cb) { sent += chunk.length; upload.update(sent, size); cb(null, chunk); } });
  const stream = Readable.toWeb(createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(counter)) as ReadableStream;
  await call(c, 'PUT', `/v2/images/${image.id}/stage`, { stream, headers: { 'Content-Type': 'application/octet-stream' } });
  upload.done();
  const started = await call(c, 'POST', `/v2/images/${image.id}/import`, { body: { method: { name: method } } });
  if (!args.wait) return EXIT.ok;

  // This call's task is the one recorded with its request id (another client may import the same image).
  const requestId = started.headers.get('x-openstack-request-id');
  const interval = Number(args['poll-interval'] ?? 0.5) * 1000;
  const phases = new PhaseBars(errWrite, tty);
  for (;;) {
    const img = await (await call(c, 'GET', `/v2/images/${image.id}`)).json() as { status: string };
    const tasks = (await (await call(c, 'GET', `/v2/images/${image.id}/tasks`)).json() as { tasks: Array<{ status: string; message: string; request_id: string | null; progress?: TaskProgress | null }> }).tasks;
    const task = tasks.find((t) => requestId && t.request_id === requestId) ?? tasks[0];
    if (task?.status === 'success' && img.status === 'active') {
      phases.end(task.progress);
      errWrite(`image ${image.id} is active\n`);
      return EXIT.ok;
    }
    if (task?.status === 'failure') {
      phases.end(task.progress, 'failed');
      io.err(`import failed: ${task.message.replace(/\s+/g, ' ')} (image ${image.id} is ${img.status})`);
      return EXIT.failed;
    }
    phases.show(task?.progress);
    await sleep(interval);
  }
}
