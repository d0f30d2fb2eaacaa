import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.js';
import { CLI, serve, tempDir, type RunningServer } from './support/glance-server.js';
import { run } from './support/run.js';
import { REPO } from './support/workspace.js';

// docs/operations.md, run: the systemd unit of etc/ starts `serve` with the sample configuration,
// the log is JSON lines with level names and each key once, one line per request, and /metrics
// answers scrapers with a bearer token, with every family the page lists.

const work = tempDir('operations');
afterAll(() => work.remove());
const operations = readFileSync(path.join(REPO, 'docs', 'operations.md'), 'utf8');

/** etc/<name> with /etc/glance and /var/lib/glance-import moved into `dir`. */
function relocated(name: string, dir: string): string {
  const text = readFileSync(path.join(REPO, 'etc', name), 'utf8')
    .replaceAll('/var/lib/glance-import', path.join(dir, 'data'))
    .replaceAll('/etc/glance', dir);
  writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
}

/** The top-level keys of a JSON line, duplicates kept (JSON.parse would hide them). */
const keys = (line: string) => [...line.matchAll(/(?<=^\{|,)"([^"]+)":/g)].map((m) => m[1]);

describe('etc/glance-import.service', () => {
  it('is a unit systemd accepts, whose ExecStart serves the Image API with the sample configuration', async () => {
    const unit = readFileSync(path.join(REPO, 'etc', 'glance-import.service'), 'utf8');
    const exec = /^ExecStart=(\S+) (.*)$/m.exec(unit)!;
    expect(exec[1]).toBe('/opt/glance-import/node_modules/.bin/glance-import');
    // The binary the unit names exists once installed; here it is the built CLI.
    const local = path.join(work.dir, 'glance-import.service');
    writeFileSync(local, unit.replace(exec[1]!, `${process.execPath} ${CLI}`));
    const verify = await run('systemd-analyze', ['verify', local], { cwd: work.dir, allowFailure: true });
    expect(verify.stderr.split('\n').filter((l) => l.includes('glance-import.service'))).toEqual([]);
    expect(verify.code).toBe(0);

    const words = exec[2]!.split(' ');
    expect(words.slice(0, 1)).toEqual(['serve']);
    const conf = [relocated('glance-api.conf', work.dir), relocated('glance-image-import.conf', work.dir)];
    const args = words
      .slice(1)
      .map((w) =>
        w
          .replace('/etc/glance/glance-api.conf', conf[0]!)
          .replace('/etc/glance/glance-image-import.conf', conf[1]!)
          .replace('/var/lib/glance-import', path.join(work.dir, 'data')),
      );
    const dataDir = args[args.indexOf('--data-dir') + 1]!;
    const server = await serve(
      dataDir,
      args.filter((a, i) => a !== '--data-dir' && args[i - 1] !== '--data-dir'),
    );
    try {
      expect(server.output().stdout).toContain('  stores:  fast (default), slow\n');
      expect(server.output().stdout).toContain('  plugins: image_decompression, image_conversion, inject_image_metadata\n');
      expect((await fetch(`${server.url}/healthcheck`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });
});

describe('logs and metrics of serve', () => {
  let server: RunningServer;
  afterAll(async () => {
    await server?.stop();
  });

  it('JSON lines with level names, each key once, one line per request at info; /metrics for a bearer token, every family documented', async () => {
    server = await serve(path.join(work.dir, 'logs'));
    const api = new ApiClient(server.url, server.adminToken!);
    const id = await api.create({ name: 'logged' });
    await api.stage(id, Buffer.alloc(4096, 1));
    const started = await api.importDirect(id);
    await api.settled(id);

    expect((await api.call('GET', '/metrics', { token: null })).status).toBe(401);
    const scrape = await api.call('GET', '/metrics', { token: null, headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(scrape.status).toBe(200);
    expect(scrape.text).toContain('glance_import_imports_total{method="glance-direct",outcome="success"} 1\n');
    const families = [...scrape.text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]);
    expect(families.length).toBeGreaterThan(8);
    for (const [name, type] of families) expect(operations, `${name} in docs/operations.md`).toContain(`| \`${name}\` | ${type} |`);

    await server.stop();
    const lines = server
      .output()
      .stdout.split('\n')
      .filter((l) => l.startsWith('{'));
    for (const line of lines) {
      const k = keys(line);
      expect(
        k.filter((x, i) => k.indexOf(x) !== i),
        line,
      ).toEqual([]);
      expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal'], line).toContain(JSON.parse(line).level);
    }
    const requests = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'request');
    expect(requests.filter((r) => r.request_id === started.headers.get('x-openstack-request-id'))).toEqual([
      expect.objectContaining({ level: 'info', method: 'POST', url: `/v2/images/${id}/import`, status: 202 }),
    ]);
    expect(requests.filter((r) => String(r.url).startsWith('/metrics'))).toEqual([]);
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(
      expect.arrayContaining(['Import started', 'Import completed', expect.stringMatching(/^shutting down \(SIGTERM\): waiting up to 30 s for 0 import\(s\)/)]),
    );
  });

  it('--log-level warn leaves out the request lines; [DEFAULT] debug = true adds debug lines', async () => {
    const quiet = await serve(path.join(work.dir, 'quiet'), ['--log-level', 'warn']);
    await fetch(`${quiet.url}/versions`);
    await quiet.stop();
    expect(
      quiet
        .output()
        .stdout.split('\n')
        .filter((l) => l.startsWith('{') && JSON.parse(l).level === 'info'),
    ).toEqual([]);

    const conf = path.join(work.dir, 'debug.conf');
    writeFileSync(conf, '[DEFAULT]\ndebug = true\n');
    const loud = await serve(path.join(work.dir, 'loud'), ['--config-file', conf]);
    await fetch(`${loud.url}/healthcheck`);
    await loud.stop();
    expect(
      loud
        .output()
        .stdout.split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    ).toContainEqual(expect.objectContaining({ level: 'debug', msg: 'request', url: '/healthcheck' }));
  });
});
