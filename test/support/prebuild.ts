import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run } from './run.js';
import { REPO } from './workspace.js';

export interface PrebuildHost {
  /** npm environment that makes better-sqlite3's install (prebuild-install) download from here. */
  env: Record<string, string>;
  /** The paths requested so far, without the host's prefix: an install that compiled from source asked for nothing. */
  requests: string[];
  stop(): Promise<void>;
}

/**
 * Installing the CLI installs better-sqlite3, whose install script asks prebuild-install for a
 * binary from github.com (out of reach here), then compiles SQLite from source: minutes on a loaded
 * 2-core machine, for each fresh host app. The workspace holds that very binary, already compiled
 * for this Node: packed as prebuild-install names a release asset
 * (`better-sqlite3-v<version>-node-v<abi>-<platform>-<arch>.tar.gz` holding
 * `build/Release/better_sqlite3.node`) and served on 127.0.0.1 as the package's binary host
 * (`npm_config_better_sqlite3_binary_host`), npm installs it in seconds. It is what installing on a
 * machine that reaches github.com does, with the same files in node_modules.
 *
 * prebuild-install keeps every binary it downloaded in ~/.npm/_prebuilds, keyed by its URL, and
 * asks nothing when the URL is there already: a port used by an earlier run on the same machine
 * would then look like a compile. A random path prefix makes each host's URLs its own.
 */
export async function servePrebuild(): Promise<PrebuildHost> {
  const require = createRequire(path.join(REPO, 'packages', 'db', 'package.json'));
  const pkgDir = path.dirname(require.resolve('better-sqlite3/package.json'));
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const dir = mkdtempSync(path.join(tmpdir(), 'gi-e2e-prebuild-'));
  mkdirSync(path.join(dir, 'build', 'Release'), { recursive: true });
  copyFileSync(path.join(pkgDir, 'build', 'Release', 'better_sqlite3.node'), path.join(dir, 'build', 'Release', 'better_sqlite3.node'));
  await run('tar', ['-czf', name, 'build/Release/better_sqlite3.node'], { cwd: dir });
  const tarball = readFileSync(path.join(dir, name));
  rmSync(dir, { recursive: true, force: true });

  const prefix = `/${randomBytes(8).toString('hex')}`;
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url.startsWith(prefix) ? url.slice(prefix.length) : url);
    if (url !== `${prefix}/v${version}/${name}`) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': tarball.length }).end(tarball);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`;
  return {
    env: { npm_config_better_sqlite3_binary_host: host },
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
