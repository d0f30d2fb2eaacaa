import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, cli, serve, tempDir, type RunningServer } from './support/glance-server.js';
import { run } from './support/run.js';
import { ApiClient } from './support/api-client.js';

// `glance-import image import FILE --name N --disk-format F [--wait]` as scripts call it, against a
// real `glance-import serve`: the image id alone on stdout, progress on stderr, exit 0 when active,
// exit 1 with a one-line reason when the import fails, 2 for usage errors.

const work = tempDir('cli-import');
const dataDir = path.join(work.dir, 'data');
const disk = path.join(work.dir, 'disk.raw');
const data = randomBytes(3 * 1024 * 1024 + 77);
let server: RunningServer;
let api: ApiClient;
const noEnv = { OS_IMAGE_URL: '', OS_AUTH_TOKEN: '' };
let env: Record<string, string>;

const digest = (algo: string, b: Buffer) => createHash(algo).update(b).digest('hex');
const imageImport = (args: string[], e: Record<string, string> = env) => cli(['image', 'import', ...args], { cwd: work.dir, env: e });

beforeAll(async () => {
  writeFileSync(disk, data);
  server = await serve(dataDir);
  api = new ApiClient(server.url, await server.token('alice', 'p1', ['member', 'reader']));
  env = { OS_IMAGE_URL: server.url, OS_AUTH_TOKEN: api.token };
}, 60_000);

afterAll(async () => {
  await server?.stop();
  work.remove();
});

describe('glance-import image import', () => {
  it('with OS_IMAGE_URL / OS_AUTH_TOKEN and --wait: the id on stdout, the upload then every import phase on stderr, exit 0, the image active', async () => {
    const r = await imageImport([disk, '--name', 'debian', '--disk-format', 'raw', '--wait', '--poll-interval', '0.05']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    const id = r.stdout.trim();
    const lines = r.stderr.trimEnd().split('\n');
    const upload = lines.indexOf('upload  done');
    expect(lines.slice(0, upload).every((l) => /^upload {2}\[[#.]{25}\] +\d+% /.test(l))).toBe(true);
    expect(lines[upload - 1]).toMatch(/^upload {2}\[#{25}\] 100% 3\.0 MiB\/3\.0 MiB/);
    expect(lines.slice(upload + 1).filter((l) => !l.startsWith('ImportToStore ['))).toEqual([
      'ImageLock done',
      'VerifyStaging done',
      'Inspect-staged done',
      'ImportToStore done',
      'DeleteFromStaging done',
      'CompleteTask done',
      `image ${id} is active`,
    ]);
    expect(lines.filter((l) => l.startsWith('ImportToStore [')).at(-1)).toMatch(/^ImportToStore \[#{25}\] 100% 3\.0 MiB\/3\.0 MiB/);
    expect(await api.image(id)).toMatchObject({
      name: 'debian',
      disk_format: 'raw',
      container_format: 'bare',
      status: 'active',
      owner: 'p1',
      size: data.length,
      checksum: digest('md5', data),
      os_hash_value: digest('sha512', data),
    });
  });

  it('with --endpoint / --token, --container-format and --method glance-direct, and without --wait: exit 0 once the import is accepted', async () => {
    const r = await imageImport(
      [
        disk,
        '--name',
        'flags',
        '--disk-format',
        'raw',
        '--container-format',
        'bare',
        '--method',
        'glance-direct',
        '--endpoint',
        server.url,
        '--token',
        api.token,
      ],
      noEnv,
    );
    expect(r).toMatchObject({ code: 0, stdout: expect.stringMatching(/^[0-9a-f-]{36}\n$/) });
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe('upload  done');
    const { image, task } = await api.settled(r.stdout.trim());
    expect(task.status).toBe('success');
    expect(image).toMatchObject({ name: 'flags', status: 'active', checksum: digest('md5', data) });
  });

  it('an import that fails (the store cannot be written): exit 1, the failed phase marked, then one line with the reason', async () => {
    const store = path.join(dataDir, 'images');
    rmSync(store, { recursive: true, force: true });
    writeFileSync(store, 'not a directory');
    try {
      const r = await imageImport([disk, '--name', 'doomed', '--disk-format', 'raw', '--wait', '--poll-interval', '0.05']);
      expect(r.code).toBe(1);
      const id = r.stdout.trim();
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines.at(-4)).toBe('ImportToStore failed');
      expect(lines.at(-3)).toMatch(
        new RegExp(`^import failed: Writing to store\\(s\\) local failed: local: Store 'local' cannot be written: .*ENOTDIR.* \\(image ${id} is uploading\\)$`),
      );
      expect(lines.slice(-2)).toEqual([`  to retry:   glance-import image import --image ${id} --wait`, `  to give up: glance-import image delete ${id}`]);
      expect(await api.image(id)).toMatchObject({ status: 'uploading', size: data.length });
    } finally {
      rmSync(store, { force: true });
      mkdirSync(store);
    }
  });

  it("a call the service refuses or cannot answer: exit 1, the server's GI code and hint, no stack trace", async () => {
    const unauthenticated = await imageImport([disk, '--name', 'x', '--disk-format', 'raw', '--token', 'gi_wrong']);
    expect(unauthenticated).toMatchObject({ code: 1, stdout: '' });
    expect(unauthenticated.stderr).toMatch(/^error GI_API_UNAUTHENTICATED: POST \/v2\/images answered 401: .*\n {2}hint: .*token create.*\n$/);

    const mismatch = await imageImport([disk, '--name', 'x', '--disk-format', 'qcow2']);
    expect(mismatch.code).toBe(1);
    const id = mismatch.stdout.trim();
    expect(
      mismatch.stderr
        .split('\n')
        .filter((l) => !l.startsWith('upload'))
        .join('\n'),
    ).toBe(
      `error GI_IMPORT_FORMAT_MISMATCH: PUT /v2/images/${id}/stage answered 415: Image disk_format qcow2 does not match stream data raw.\n  hint: Set disk_format to what the data is, or upload data of the declared format.\n`,
    );
    expect(await api.image(id)).toMatchObject({ status: 'queued', size: null });

    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await imageImport([disk, '--name', 'x', '--disk-format', 'raw', '--endpoint', `http://127.0.0.1:${port}`]);
    expect(down).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        `error GI_CLI_UNREACHABLE: Cannot reach the Image API at http://127.0.0.1:${port} (POST /v2/images: ECONNREFUSED).\n` +
        '  hint: Is `glance-import serve` running there? Check OS_IMAGE_URL (or --endpoint): scheme, host and port.\n',
    });
  });

  it('output into a pipe the reader closed (| head): no stack trace, the exit code of the command itself', async () => {
    await imageImport([disk, '--name', 'piped', '--disk-format', 'raw', '--wait', '--poll-interval', '0.05']);
    for (const args of [
      ['image', 'list'],
      ['image', 'list', '--json'],
      ['--help'],
      ['image', 'import', disk, '--name', 'piped-import', '--disk-format', 'raw', '--wait'],
    ]) {
      const words = [process.execPath, CLI, ...args].map((w) => `'${w}'`).join(' ');
      // head -c0 exits at once: every write of the command meets a closed pipe (EPIPE).
      const r = await run('bash', ['-c', `{ ${words}; echo "exit $?" >&2; } | head -c0`], { cwd: work.dir, env, allowFailure: true });
      expect(
        r.stderr.replace(/^(upload|Import|ImageLock|VerifyStaging|Inspect|DeleteFromStaging|CompleteTask|image \S+ is active).*\n/gm, ''),
        args.join(' '),
      ).toBe('exit 0\n');
    }
  });

  it.each([
    [['--name', 'x', '--disk-format', 'raw'], 'usage error: image import takes exactly one FILE'],
    [[disk, '--disk-format', 'raw'], 'usage error: image import needs --name'],
    [[disk, '--name', 'x'], 'usage error: image import needs --disk-format'],
    [[disk, '--name', 'x', '--disk-format', 'raw', '--token', 'gi_t'], 'usage error: no endpoint: pass --endpoint or set OS_IMAGE_URL'],
    [[disk, '--name', 'x', '--disk-format', 'raw', '--endpoint', 'http://127.0.0.1:1'], 'usage error: no token: pass --token or set OS_AUTH_TOKEN'],
    [
      [path.join(work.dir, 'missing.raw'), '--name', 'x', '--disk-format', 'raw', '--endpoint', 'http://127.0.0.1:1', '--token', 'gi_t'],
      `usage error: cannot read ${path.join(work.dir, 'missing.raw')}`,
    ],
    [[disk, '--name', 'x', '--disk-format', 'raw', '--method', 'web-download'], 'usage error: --method web-download needs --uri URL'],
    [
      [disk, '--name', 'x', '--disk-format', 'raw', '--method', 'copy-image'],
      'usage error: --method copy-image: this command does not run it: it copies an active image into more stores; call POST /v2/images/{id}/import with {"method": {"name": "copy-image"}, "stores": [...]}, e.g. `glance image-import ID --import-method copy-image --stores S`',
    ],
    [
      [work.dir, '--name', 'x', '--disk-format', 'raw', '--endpoint', 'http://127.0.0.1:1', '--token', 'gi_t'],
      `usage error: ${work.dir} is a directory: give the image file itself`,
    ],
  ])('usage error %#: exit 2 and one line, nothing sent', async (args, message) => {
    expect(await imageImport(args, noEnv)).toMatchObject({ code: 2, stdout: '', stderr: `${message}\n` });
  });
});
