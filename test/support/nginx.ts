import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from './glance-server.js';
import { REPO } from './workspace.js';

/** The sample site of etc/, as an operator installs it. */
export const NGINX_SITE = path.join(REPO, 'etc', 'nginx-glance-import.conf');

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));

export interface RunningNginx {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** The site as run: the sample with the suite's addresses. */
  readonly site: string;
  stop(): Promise<void>;
}

/**
 * etc/nginx-glance-import.conf with its `listen` on 127.0.0.1:`port` and its upstream servers
 * replaced by `nodes` (host:port), each with the sample's parameters.
 */
export function siteFor(port: number, nodes: readonly string[]): string {
  const sample = readFileSync(NGINX_SITE, 'utf8');
  const server = /^(\s*)server 127\.0\.0\.1:\d+( [^;]*)?;\n/m.exec(sample);
  if (!server || !/^\s*listen 127\.0\.0\.1:\d+;$/m.test(sample)) throw new Error(`${NGINX_SITE} no longer has the listen and server lines this suite replaces`);
  const servers = nodes.map((n) => `${server[1]}server ${n}${server[2] ?? ''};\n`).join('');
  return sample.replace(/^(\s*)listen 127\.0\.0\.1:\d+;$/m, `$1listen 127.0.0.1:${port};`).replace(/^(\s*server 127\.0\.0\.1:\d+( [^;]*)?;\n)+/m, servers);
}

/**
 * Debian's nginx running the sample site in front of `nodes`, on 127.0.0.1:`port`, in a prefix of
 * its own (its pid, logs and temp files there; the system's nginx, if any, is left alone).
 * scripts/setup installs the package; without it this fails saying so.
 */
export async function startNginx(port: number, nodes: readonly string[]): Promise<RunningNginx> {
  if (!NGINX) throw new Error('nginx is not installed: run scripts/setup (it installs Debian’s nginx without starting its service)');
  const prefix = tempDir('nginx');
  // Its workers run as nobody when the suite runs as root: they must reach the temp dirs.
  chmodSync(prefix.dir, 0o755);
  const temp = path.join(prefix.dir, 'temp');
  mkdirSync(temp, { mode: 0o777 });
  chmodSync(temp, 0o777);
  const site = siteFor(port, nodes);
  writeFileSync(path.join(prefix.dir, 'site.conf'), site);
  writeFileSync(
    path.join(prefix.dir, 'nginx.conf'),
    [
      'worker_processes 1;',
      `pid ${prefix.dir}/nginx.pid;`,
      `error_log ${prefix.dir}/error.log warn;`,
      'events { worker_connections 1024; }',
      'http {',
      `  access_log ${prefix.dir}/access.log;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${temp}/${t};`),
      `  include ${prefix.dir}/site.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  const child = spawn(NGINX, ['-p', prefix.dir, '-c', path.join(prefix.dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // QUIT: a graceful stop, workers finish their requests.
      child.kill('SIGQUIT');
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited.finally(() => clearTimeout(kill));
    }
    prefix.remove();
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const ok = await fetch(`${url}/healthcheck`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return { url, site, stop };
    await sleep(100);
  }
  const error = existsSync(path.join(prefix.dir, 'error.log')) ? readFileSync(path.join(prefix.dir, 'error.log'), 'utf8') : '';
  await stop();
  throw new Error(`nginx did not serve the sample site on ${url} within 30 s\n${stderr}\n${error}`);
}
