import { spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** Added to the clean environment (see cleanEnv). */
  env?: Record<string, string>;
  /** Resolve with a non-zero exit code instead of throwing. */
  allowFailure?: boolean;
  timeoutMs?: number;
  /** Run as this user and group (the caller must be allowed to, i.e. root). */
  uid?: number;
  gid?: number;
}

// What the test runner and pnpm put in the environment; a child must not see it. NODE_PATH alone
// would let a CommonJS dependency missing from a host app resolve from the workspace.
const LEAKY = /^(NODE_PATH|NODE_OPTIONS|NODE_ENV|INIT_CWD|VITEST.*|npm_.*|pnpm_.*|PNPM_.*)$/i;

export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !LEAKY.test(k)) env[k] = v;
  return {
    ...env,
    // A native dependency compiles against Node's own headers (toolchain §3.2), also where a suite
    // replaces the user's npmrc.
    npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr',
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...extra,
  };
}

/** Run a command with a clean environment; throws with its output when it fails (unless allowed). */
export function run(cmd: string, args: readonly string[], o: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: o.cwd,
      env: cleanEnv(o.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: o.timeoutMs ?? 120_000,
      ...(o.uid !== undefined ? { uid: o.uid } : {}),
      ...(o.gid !== undefined ? { gid: o.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (result.code === 0 || o.allowFailure) resolve(result);
      else
        reject(
          new Error(
            `${cmd} ${args.join(' ')} (in ${o.cwd}) exited ${result.code}${signal ? ` (${signal})` : ''}\n--- stdout\n${stdout.slice(-4000)}\n--- stderr\n${stderr.slice(-4000)}`,
          ),
        );
    });
  });
}
