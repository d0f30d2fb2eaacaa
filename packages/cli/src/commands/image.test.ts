import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMain } from '../host.fixture.js';
import { startService, type TestService } from '../server.fixture.js';

// The Image API commands against a real service (the server package on 127.0.0.1).

let service: TestService;
const work = mkdtempSync(path.join(tmpdir(), 'gi-cli-image-'));
const disk = path.join(work, 'disk.raw');

beforeAll(async () => {
  writeFileSync(disk, Buffer.alloc(64 * 1024, 7));
  service = await startService();
}, 60_000);

afterAll(async () => {
  await service?.close();
  rmSync(work, { recursive: true, force: true });
});

const run = (argv: string[], o: { token?: string; columns?: number } = {}) =>
  runMain([...argv, '--endpoint', service.url, '--token', o.token ?? service.tokens.member], o);

const imported = async (name: string) => {
  const r = await run(['image', 'import', disk, '--name', name, '--disk-format', 'raw', '--wait', '--poll-interval', '0.05']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim();
};

describe('image list, show, delete and task show', () => {
  it('image list: a table of what the token may see; --json the images as the API gives them', async () => {
    const id = await imported('listed-debian');
    const r = await run(['image', 'list']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const [head, ...rest] = r.stdout.trimEnd().split('\n');
    expect(head).toMatch(/^ID +NAME +STATUS +DISK FORMAT +SIZE +UPDATED$/);
    expect(rest.find((l) => l.startsWith(id))).toMatch(new RegExp(`^${id} +listed-debian +active +raw +64\\.0 KiB +\\d{4}-`));
    const json = JSON.parse((await run(['image', 'list', '--json'])).stdout) as Array<{ id: string; checksum: string }>;
    expect(json.find((i) => i.id === id)).toMatchObject({ id, status: 'active', checksum: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const narrow = await run(['image', 'list'], { columns: 100 });
    expect(narrow.stdout.split('\n').every((l) => l.length <= 100)).toBe(true);
    expect(narrow.stdout).toContain(id);
  });

  it('image list follows the pages of the API; --limit stops early, --status filters', async () => {
    const ids = await Promise.all(['a', 'b', 'c'].map((n) => imported(`page-${n}`)));
    const all = JSON.parse((await run(['image', 'list', '--json'])).stdout) as Array<{ id: string }>;
    expect(all.map((i) => i.id)).toEqual(expect.arrayContaining(ids));
    expect(JSON.parse((await run(['image', 'list', '--json', '--limit', '2'])).stdout)).toHaveLength(2);
    expect(JSON.parse((await run(['image', 'list', '--json', '--status', 'queued'])).stdout)).toEqual([]);
  });

  it('image show: the image and how its last import went; --json adds import_task', async () => {
    const id = await imported('shown');
    const r = await run(['image', 'show', id]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^FIELD +VALUE\n/);
    expect(r.stdout).toMatch(new RegExp(`\\nid +${id}\\n`));
    expect(r.stdout).toMatch(/\nstatus +active\n/);
    expect(r.stdout).toMatch(/\nimport_task +[0-9a-f-]{36} success/);
    expect(JSON.parse((await run(['image', 'show', id, '--json'])).stdout)).toMatchObject({ id, status: 'active', import_task: { status: 'success' } });
  });

  it('task show: for an admin (the Tasks API is admin-only by default, as in Glance)', async () => {
    const id = await imported('tasked');
    const task = (JSON.parse((await run(['image', 'show', id, '--json'])).stdout) as { import_task: { id: string } }).import_task;
    const r = await run(['task', 'show', task.id], { token: service.tokens.admin });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nstatus +success\n/);
    expect(JSON.parse((await run(['task', 'show', task.id, '--json'], { token: service.tokens.admin })).stdout)).toMatchObject({
      id: task.id,
      status: 'success',
      type: 'api_image_import',
    });
    const member = await run(['task', 'show', task.id]);
    expect(member).toMatchObject({ code: 1, stdout: '' });
    expect(member.stderr).toMatch(/^error GI_\w+: GET \/v2\/tasks\/[0-9a-f-]+ answered 403: [^\n]+\n {2}hint: /);
  });

  it('image delete: gone; showing it then is GI_API_NOT_FOUND with a hint', async () => {
    const id = await imported('doomed');
    expect(await run(['image', 'delete', id])).toEqual({ code: 0, stdout: `deleted image ${id}\n`, stderr: '' });
    const shown = await run(['image', 'show', id]);
    expect(shown).toMatchObject({ code: 1, stdout: '' });
    expect(shown.stderr).toMatch(new RegExp(`^error GI_API_NOT_FOUND: GET /v2/images/${id} answered 404: .*\\n {2}hint: `));
    expect(JSON.parse((await run(['image', 'delete', await imported('doomed-json'), '--json'])).stdout)).toMatchObject({ deleted: true });
  });
});

describe('image import: failures, retries and refusals', () => {
  it('a failed import says why and what to do next; --image ID imports it again once the cause is gone', async () => {
    const store = path.join(service.dataDir, 'images');
    rmSync(store, { recursive: true, force: true });
    writeFileSync(store, 'not a directory');
    let id: string;
    try {
      const r = await run(['image', 'import', disk, '--name', 'retried', '--disk-format', 'raw', '--wait', '--poll-interval', '0.05']);
      expect(r.code).toBe(1);
      id = r.stdout.trim();
      expect(r.stderr.trimEnd().split('\n').slice(-3)).toEqual([
        expect.stringMatching(new RegExp(`^import failed: Writing to store\\(s\\) local failed: .*ENOTDIR.* \\(image ${id} is uploading\\)$`)),
        `  to retry:   glance-import image import --image ${id} --wait`,
        `  to give up: glance-import image delete ${id}`,
      ]);
    } finally {
      rmSync(store, { force: true });
      mkdirSync(store);
    }
    const again = await run(['image', 'import', '--image', id, '--wait', '--poll-interval', '0.05']);
    expect(again).toMatchObject({ code: 0, stdout: `${id}\n` });
    expect(again.stderr.trimEnd().split('\n').at(-1)).toBe(`image ${id} is active`);
  });

  it('--image with FILE stages into a queued image; an image that holds staged data takes no FILE', async () => {
    const created = await fetch(`${service.url}/v2/images`, {
      method: 'POST',
      headers: { 'x-auth-token': service.tokens.member, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'precreated', disk_format: 'raw', container_format: 'bare' }),
    });
    const { id } = (await created.json()) as { id: string };
    expect(await run(['image', 'import', '--image', id, '--wait'])).toMatchObject({
      code: 2,
      stderr: `usage error: image ${id} has no data staged: give FILE to stage\n`,
    });
    const r = await run(['image', 'import', disk, '--image', id, '--wait', '--poll-interval', '0.05']);
    expect(r).toMatchObject({ code: 0, stdout: `${id}\n` });
    expect(await run(['image', 'import', disk, '--image', id])).toMatchObject({
      code: 2,
      stderr: `usage error: image ${id} is active, so it takes no new data\n`,
    });
  });

  it.each([
    [['--name', 'x', '--disk-format', 'raw'], 'usage error: image import takes exactly one FILE'],
    [[work, '--name', 'x', '--disk-format', 'raw'], `usage error: ${work} is a directory: give the image file itself`],
    [['/dev/null', '--name', 'x', '--disk-format', 'raw'], 'usage error: /dev/null is not a regular file: give the image file itself'],
    [[disk, '--image', 'x', '--name', 'y'], 'usage error: --image imports into an existing image: --name is not used'],
    [
      [disk, '--name', 'x', '--disk-format', 'raw', '--method', 'copy-image'],
      'usage error: --method copy-image: this command does not run it: it copies an active image',
    ],
    [
      [disk, '--name', 'x', '--disk-format', 'raw', '--method', 'glance-direkt'],
      "usage error: --method glance-direkt is not an import method. Did you mean 'glance-direct'?",
    ],
    [['--name', 'x', '--disk-format', 'raw', '--method', 'web-download'], 'usage error: --method web-download needs --uri URL'],
    [
      [disk, '--name', 'x', '--disk-format', 'raw', '--method', 'web-download', '--uri', 'http://example.com/x'],
      'usage error: --method web-download downloads --uri; it takes no FILE',
    ],
    [[disk, '--name', 'x', '--disk-format', 'raw', '--poll-interval', 'soon'], "usage error: --poll-interval takes a number of seconds, got 'soon'"],
  ])('usage error %#: exit 2, one line, nothing sent', async (args, message) => {
    const r = await run(['image', 'import', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  it('a service that is not there: GI_CLI_UNREACHABLE, naming what to check, no stack trace', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await runMain(['image', 'list', '--endpoint', `http://127.0.0.1:${port}/v2/`, '--token', 'gi_x'])).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `error GI_CLI_UNREACHABLE: Cannot reach the Image API at http://127.0.0.1:${port} (GET /v2/images: ECONNREFUSED).\n` +
        '  hint: Is `glance-import serve` running there? Check OS_IMAGE_URL (or --endpoint): scheme, host and port.\n',
    });
  });
});
