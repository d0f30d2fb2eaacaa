import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanEnv, run, type RunResult } from './run.js';
import { REPO } from './workspace.js';

/** The built command line, run as scripts run it: `node packages/cli/dist/bin.js ...`. */
export const CLI = path.join(REPO, 'packages', 'cli', 'dist', 'bin.js');

function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`pnpm build\` first (\`pnpm test:all\` does)`);
}

/** A temp folder removed by the returned function (afterAll). */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `gi-e2e-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Run `glance-import ARGS` to its end (never throws on a non-zero exit). */
export function cli(
  args: readonly string[],
  o: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; uid?: number; gid?: number } = {},
): Promise<RunResult> {
  assertBuilt();
  return run(process.execPath, [CLI, ...args], { ...o, cwd: o.cwd ?? REPO, env: o.env ?? {}, allowFailure: true, timeoutMs: o.timeoutMs ?? 60_000 });
}

/** Root writes anywhere: to see a permission refused, a test run as root acts as nobody. */
export const notRoot = (): { uid?: number; gid?: number } => (process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {});

export interface RunningServer {
  /** http://127.0.0.1:PORT, as the banner prints it. */
  readonly url: string;
  readonly dataDir: string;
  /** The admin token from the banner, when this start printed one (a fresh data dir, not behind Keystone). */
  readonly adminToken: string | undefined;
  /** Everything the process printed so far. */
  output(): { stdout: string; stderr: string };
  /** `glance-import token create` against this data dir. */
  token(user: string, project: string, roles: readonly string[]): Promise<string>;
  /** SIGTERM (the server drains running imports), then wait for the exit (SIGKILL after 10 s); resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: a crash, nothing drained. */
  kill(): Promise<void>;
  /** Send a signal and return at once; `exited` resolves to the exit code when the process ends. */
  signal(sig: NodeJS.Signals): void;
  readonly exited: Promise<number | null>;
}

/**
 * Start `glance-import serve --data-dir DIR --port 0 [ARGS]` (as another user with `uid`/`gid`; the
 * workspace's built CLI, or `bin`, e.g. the one a host app installed) and
 * wait for its banner. The port comes from the OS; the banner's URL and admin token are parsed, as a
 * script reading stdout would.
 */
export function serve(
  dataDir: string,
  args: readonly string[] = [],
  o: { cwd?: string; env?: Record<string, string>; uid?: number; gid?: number; bin?: string } = {},
): Promise<RunningServer> {
  if (!o.bin) assertBuilt();
  const child = spawn(process.execPath, [o.bin ?? CLI, 'serve', '--data-dir', dataDir, '--port', '0', ...args], {
    cwd: o.cwd ?? REPO,
    env: cleanEnv(o.env ?? {}),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(o.uid !== undefined ? { uid: o.uid } : {}),
    ...(o.gid !== undefined ? { gid: o.gid } : {}),
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise<RunningServer>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve printed no banner within 30 s\n${stdout}\n${stderr}`));
    }, 30_000);
    const server: RunningServer = {
      url: '',
      dataDir,
      adminToken: undefined,
      exited,
      signal: (sig) => {
        child.kill(sig);
      },
      output: () => ({ stdout, stderr }),
      async token(user, project, roles) {
        const r = await cli(['token', 'create', '--data-dir', dataDir, '--user', user, '--project', project, '--roles', roles.join(',')]);
        if (r.code !== 0) throw new Error(`token create exited ${r.code}: ${r.stderr}`);
        return r.stdout.trim();
      },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          await exited.finally(() => clearTimeout(kill));
        }
        return child.exitCode;
      },
      async kill() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await exited;
        }
      },
    };
    const onData = () => {
      const url = /serving the Image API on (http:\/\/\S+)/.exec(stdout)?.[1];
      // The banner ends with the admin token, or behind Keystone with the identity line.
      if (!url || !/\n {2}(admin token|identity): [^\n]*\n/.test(stdout)) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ ...server, url, adminToken: /admin token: (gi_\S+)/.exec(stdout)?.[1] });
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      onData();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code} before its banner\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    });
  });
}
