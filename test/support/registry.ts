import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedPackage } from './closure.js';
import { cleanEnv, run } from './run.js';
import { readManifest, type Manifest } from './workspace.js';

export interface Registry {
  url: string;
  /** Accepted for publishing (any token is: publish is open to all). */
  token: string;
  /** npm/pnpm environment that makes this registry the only one, with a token for publishing. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Start verdaccio (test/node_modules) on 127.0.0.1 and a port the system picks: no uplinks, so it
 * serves only what is published to it; storage and npm cache live in `dir`.
 */
export async function startRegistry(dir: string): Promise<Registry> {
  mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'verdaccio.yaml');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $all',
      'web:',
      '  enable: false',
      'log: { type: stdout, format: pretty, level: error }',
      '',
    ].join('\n'),
  );
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'verdaccio-server.mjs'), config], {
    cwd: path.join(import.meta.dirname, '..'),
    env: cleanEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    return await listening(child, dir, stop);
  } catch (e) {
    await stop();
    throw e;
  }
}

async function listening(child: ChildProcessWithoutNullStreams, dir: string, stop: () => Promise<void>): Promise<Registry> {
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`verdaccio did not start within 60 s:\n${output}`)), 60_000);
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /^(\d+)\n/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`verdaccio exited (${code}) before listening:\n${output}`));
    });
  });
  const url = `http://127.0.0.1:${port}/`;
  const npmrc = path.join(dir, 'npmrc');
  const token = 'e2e-token';
  writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
  const ping = await fetch(`${url}-/ping`);
  if (!ping.ok) throw new Error(`verdaccio at ${url} answers /-/ping with ${ping.status}`);
  return { url, token, env: { npm_config_userconfig: npmrc, npm_config_registry: url, npm_config_cache: path.join(dir, 'npm-cache') }, stop };
}

/** Run `task` on every item, at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await task(item);
    }),
  );
}

/** `npm pack name@version` each package from the public npm registry (through the machine's npm config and cache). */
export async function packFromNpm(packages: readonly ResolvedPackage[], dir: string): Promise<Array<{ pkg: ResolvedPackage; file: string }>> {
  mkdirSync(dir, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir, ...packages.map((p) => `${p.name}@${p.version}`)], { cwd: dir });
  const packed = JSON.parse(stdout) as Array<{ name: string; version: string; filename: string }>;
  return packed.map((f) => ({ pkg: packages.find((p) => p.name === f.name && p.version === f.version)!, file: path.resolve(dir, f.filename) }));
}

/**
 * Publish tarballs to `registry` with the request npm publish sends (PUT of the package document
 * with the tarball attached), about a hundred times faster than one npm process per package, and
 * always to this registry: a package's own publishConfig.registry cannot redirect it.
 */
export async function publishTarballs(registry: Registry, tarballs: ReadonlyArray<{ pkg: ResolvedPackage; file: string }>): Promise<void> {
  await pool(tarballs, 8, async ({ pkg, file }) => {
    const manifest = readManifest(pkg.dir) as Manifest & Record<string, unknown>;
    const data = readFileSync(file);
    const tarball = `${manifest.name}-${manifest.version}.tgz`;
    const body = {
      _id: manifest.name,
      name: manifest.name,
      'dist-tags': { latest: manifest.version },
      versions: {
        [manifest.version]: {
          ...manifest,
          _id: `${manifest.name}@${manifest.version}`,
          dist: {
            integrity: `sha512-${createHash('sha512').update(data).digest('base64')}`,
            shasum: createHash('sha1').update(data).digest('hex'),
            tarball: `${registry.url}${manifest.name}/-/${tarball}`,
          },
        },
      },
      _attachments: { [tarball]: { content_type: 'application/octet-stream', data: data.toString('base64'), length: data.length } },
    };
    const res = await fetch(`${registry.url}${encodeURIComponent(manifest.name)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${registry.token}` },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`publishing ${manifest.name}@${manifest.version} to ${registry.url}: ${res.status} ${await res.text()}`);
  });
}
