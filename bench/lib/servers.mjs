// The two servers under test: ours (`glance-import serve` on the embedded default, SQLite and
// staging in its data dir) and the reference Glance (../shared/reference-glance/start.sh), both
// on loopback, both taking identity from trusted headers so every request is the same for both.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export const REPO = path.resolve(import.meta.dirname, '../..');
/** The reference Glance's scripts: BENCH_GLANCE_HOME, else shared/ beside the repository (or beside the worktrees' folder). */
export const GLANCE_HOME =
  process.env.BENCH_GLANCE_HOME ??
  [path.resolve(REPO, '../shared/reference-glance'), path.resolve(REPO, '../../shared/reference-glance')].find((d) => existsSync(path.join(d, 'start.sh'))) ??
  path.resolve(REPO, '../shared/reference-glance');

/** The identity both servers take from a trusted proxy's headers. */
export const IDENTITY = { 'x-auth-token': 'x', 'x-identity-status': 'Confirmed', 'x-project-id': 'p1', 'x-user-id': 'u1', 'x-roles': 'admin,member' };

export const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Peak and current resident memory of a process (MiB), from /proc. */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { peakMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
}

/**
 * `glance-import serve` on a data dir of its own: three file stores (local is the default), the
 * given import plugins, web-download allowed to loopback on `webPort`.
 */
export async function startOurs(dir, { plugins = [], webPort } = {}) {
  mkdirSync(dir, { recursive: true });
  const data = path.join(dir, 'data');
  const conf = path.join(dir, 'glance-api.conf');
  writeFileSync(
    conf,
    [
      '[DEFAULT]',
      'enabled_backends = local:file, b:file, c:file',
      'image_size_cap = 1099511627776',
      '[glance_store]',
      'default_backend = local',
      ...['local', 'b', 'c'].flatMap((s) => [`[${s}]`, `filesystem_store_datadir = ${path.join(data, 'stores', s)}`]),
      '[paste_deploy]',
      'flavor = trusted-auth',
      '[image_import_opts]',
      `image_import_plugins = [${plugins.map((p) => `'${p}'`).join(', ')}]`,
      ...(plugins.includes('image_conversion') ? ['[image_conversion]', 'output_format = raw'] : []),
      '[import_filtering_opts]',
      'allow_local_addresses = true',
      ...(webPort ? [`allowed_ports = [${webPort}]`] : []),
      '',
    ].join('\n'),
  );
  // BENCH_SERVE_NODE_ARGS: e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof' to see where a case spends its time.
  const nodeArgs = (process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [...nodeArgs, path.join(REPO, 'packages/cli/dist/bin.js'), 'serve', '--data-dir', data, '--port', '0', '--config-file', conf],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  // BENCH_SERVE_ECHO=1: the server's output on ours (with --trace-gc in BENCH_SERVE_NODE_ARGS, say).
  if (process.env.BENCH_SERVE_ECHO === '1') child.stdout.on('data', (d) => process.stderr.write(d));
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /serving the Image API on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}\n${out}`)));
  });
  child.removeAllListeners('exit');
  return {
    name: 'ours',
    url,
    pid: child.pid,
    dataDir: data,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export const glanceAvailable = () => process.env.BENCH_GLANCE !== '0' && existsSync(path.join(GLANCE_HOME, 'start.sh'));

const sh = (script, env) =>
  new Promise((resolve, reject) =>
    execFile('bash', [script], { env: { ...process.env, ...env }, maxBuffer: 1 << 20 }, (e, stdout, stderr) =>
      e ? reject(new Error(`${path.basename(script)}: ${e.message}\n${stdout}${stderr}`)) : resolve(stdout),
    ),
  );

/** The reference Glance with its own home and port (start.sh installs Debian's Glance when missing). */
export async function startGlance(home, { plugins = [] } = {}) {
  const port = await freePort();
  const env = { GH: home, GPORT: String(port), GPLUGINS: `[${plugins.map((p) => `'${p}'`).join(',')}]` };
  await sh(path.join(GLANCE_HOME, 'start.sh'), env);
  const pid = Number(readFileSync(path.join(home, 'pid'), 'utf8'));
  return { name: 'glance', url: `http://127.0.0.1:${port}`, pid, stop: () => sh(path.join(GLANCE_HOME, 'stop.sh'), env).catch(() => undefined) };
}
