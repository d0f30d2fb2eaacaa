import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.js';
import { gatePluginConfig } from './support/gate-plugin.js';
import { CLI, cli, serve, tempDir, type RunningServer } from './support/glance-server.js';
import { cleanEnv, type RunResult } from './support/run.js';

// `glance-import image import --wait` while the service it follows goes away: a graceful restart
// (SIGTERM: reads keep answering, new imports and uploads get 503, the running import may finish)
// and a crash (SIGKILL), each followed by a new `serve` on the same port and data dir. The import
// chain is the fixture plugin `gate`, which holds the import while the file `gate_hold` names exists.

const work = tempDir('cli-restart');
const dataDir = path.join(work.dir, 'data');
const disk = path.join(work.dir, 'disk.raw');
let conf: string;
let server: RunningServer;
let port: string;
let api: ApiClient;
let env: Record<string, string>;

const start = async () => {
  server = await serve(dataDir, ['--config-file', conf, ...(port ? ['--port', port] : [])]);
  port = new URL(server.url).port;
};

beforeAll(async () => {
  writeFileSync(disk, randomBytes(256 * 1024));
  // The gate only reads: declared rerunnable, an import a crash interrupts in it resumes on restart.
  conf = gatePluginConfig(work.dir, '\n[gate]\nrerunnable = true\n');
  port = '';
  await start();
  api = new ApiClient(server.url, await server.token('alice', 'p1', ['member', 'reader']));
  env = { OS_IMAGE_URL: server.url, OS_AUTH_TOKEN: api.token };
}, 60_000);

afterAll(async () => {
  await server?.stop();
  work.remove();
});

/** `glance-import ARGS` running in the background: its stderr so far, and its end. */
function background(args: string[]): { stderr: () => string; done: Promise<RunResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: work.dir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<RunResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })));
  return { stderr: () => stderr, done };
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`waited 60 s for ${what}`);
}

/** An image the gate holds, and `image import FILE --image ID --wait` following it, once its task runs. */
async function heldImport(name: string) {
  const hold = path.join(work.dir, `${name}.hold`);
  writeFileSync(hold, '');
  const id = await api.create({ name, gate_hold: hold });
  const following = background(['image', 'import', disk, '--image', id, '--wait', '--poll-interval', '0.1']);
  await until('the import to run', async () => (await api.tasks(id))[0]?.status === 'processing');
  return { id, hold, following };
}

describe('image import --wait across a restart of the service', () => {
  it('a graceful restart: the service drains (reads answer, writes 503) and lets the import finish; the command reports it active', async () => {
    const { id, hold, following } = await heldImport('graceful');
    server.signal('SIGTERM');
    await until('the shutdown log line', () => server.output().stdout.includes('"msg":"shutting down (SIGTERM): waiting up to 30 s for 1 import(s)'));
    expect(await api.image(id)).toMatchObject({ status: 'importing' });
    const refused = await api.call('POST', '/v2/images', { json: { name: 'late', disk_format: 'raw', container_format: 'bare' } });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('x-glance-import-error-code')).toBe('GI_SERVER_DRAINING');
    rmSync(hold);
    expect(await server.exited).toBe(0);
    await start();
    const r = await following.done;
    expect(r.stdout).toBe(`${id}\n`);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(`image ${id} is active`);
    expect(r.code).toBe(0);
    expect(await api.image(id)).toMatchObject({ status: 'active', size: 256 * 1024 });
  });

  it('a crash: the command waits for the service to come back, which resumes the import where it stopped; the command reports it active', async () => {
    const { id, hold, following } = await heldImport('crashed');
    const [task] = await api.tasks(id);
    await server.kill();
    await until('the command to notice', () => following.stderr().includes('does not answer'));
    await start();
    // The restarted node takes up its import: the same task, still held by the gate, not failed.
    await until('the command to see the service again', () => following.stderr().includes('answers again'));
    expect(await api.tasks(id)).toEqual([expect.objectContaining({ id: task!.id, status: 'processing' })]);
    expect(await api.image(id)).toMatchObject({ status: 'importing' });
    expect(server.output().stdout).toContain('"msg":"imports interrupted by the last shutdown: 0 completed, 1 resumed, 0 reverted');
    rmSync(hold);
    const r = await following.done;
    const lines = r.stderr.trimEnd().split('\n');
    // The kill can land before a poll (refused) or while one is in flight (reset): both are a crash.
    const waiting = lines.find((l) => l.startsWith(`note: the Image API at ${server.url} does not answer`));
    expect(waiting).toMatch(/ does not answer \([^)]+\); waiting up to 300 s for it \(a restart lets the import finish or fails it\)$/);
    expect(lines).toContain(`note: the Image API at ${server.url} answers again`);
    expect(lines.at(-1)).toBe(`image ${id} is active`);
    expect(r).toMatchObject({ code: 0, stdout: `${id}\n` });
    expect(await api.image(id)).toMatchObject({ status: 'active', size: 256 * 1024 });
    expect(await api.tasks(id)).toEqual([expect.objectContaining({ id: task!.id, status: 'success' })]);
  });
});
