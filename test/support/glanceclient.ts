import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { cleanEnv } from './run.js';

/** Debian's interpreter, which has python3-glanceclient (scripts/setup installs it); not the first python3 on PATH. */
export const PYTHON = '/usr/bin/python3';
const DRIVER = path.join(import.meta.dirname, 'glanceclient-driver.py');

/** keystoneauth1's v3 Password arguments, and the catalog filter the client finds the image endpoint with. */
export interface KeystoneSessionAuth {
  auth_url: string;
  username: string;
  password: string;
  project_name: string;
  user_domain_name: string;
  project_domain_name: string;
  region_name?: string;
  interface?: string;
}

export type Auth = { token: string } | { headers: Record<string, string> } | { keystone: KeystoneSessionAuth };

/** What python-glanceclient raised: its exception class, the HTTP status and `details`. */
export interface ClientError {
  type: string;
  status: number | null;
  message: string;
}

type Answer = { ok: unknown; request_ids: string[] } | { error: ClientError };

/** One long-lived Python process running test/support/glanceclient-driver.py; calls go one at a time. */
export class GlanceClientDriver {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly answers: Array<(line: string) => void> = [];
  private stderr = '';

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => this.answers.shift()?.(line));
    child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
  }

  static start(): GlanceClientDriver {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing; scripts/setup installs python3-glanceclient`);
    return new GlanceClientDriver(spawn(PYTHON, ['-u', DRIVER], { env: cleanEnv({ PYTHONDONTWRITEBYTECODE: '1' }), stdio: 'pipe' }));
  }

  /** A client for one endpoint and identity. */
  as(endpoint: string, auth: Auth): Session {
    return new Session(this, endpoint, auth);
  }

  send(request: Record<string, unknown>): Promise<Answer> {
    const next = this.queue.then(
      () =>
        new Promise<Answer>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`glanceclient driver gave no answer within 60 s to ${JSON.stringify(request)}\n${this.stderr}`)),
            60_000,
          );
          this.answers.push((line) => {
            clearTimeout(timer);
            resolve(JSON.parse(line) as Answer);
          });
          this.child.stdin.write(`${JSON.stringify(request)}\n`);
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    if (this.child.exitCode === null) await new Promise((r) => this.child.on('exit', r));
  }
}

export class Session {
  constructor(
    private readonly driver: GlanceClientDriver,
    readonly endpoint: string,
    readonly auth: Auth,
  ) {}

  /** The raw answer: `{ ok, request_ids }` or `{ error }`. */
  answer(call: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<Answer> {
    return this.driver.send({ endpoint: this.endpoint, auth: this.auth, call, args, kwargs });
  }

  /** The call's result; throws when the client raised. */
  async ok<T = any>(call: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<T> {
    const a = await this.answer(call, args, kwargs);
    if ('error' in a) throw new Error(`${call} raised ${a.error.type} (${a.error.status}): ${a.error.message}`);
    return a.ok as T;
  }

  /** What the client raised; throws when the call succeeded. */
  async fails(call: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<ClientError> {
    const a = await this.answer(call, args, kwargs);
    if (!('error' in a)) throw new Error(`${call} succeeded with ${JSON.stringify(a.ok)}; an error was expected`);
    return a.error;
  }

  /** A raw request through `requests` with this identity (what the client does not expose, e.g. Range). */
  http(method: string, p: string, o: { headers?: Record<string, string>; body?: string } = {}): Promise<HttpAnswer> {
    return this.ok<HttpAnswer>('http', [], { method, path: p, ...o });
  }
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  json: any;
  text: string | null;
  body_hex: string | null;
}
