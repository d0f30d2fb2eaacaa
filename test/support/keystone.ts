import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { run } from './run.js';
import { REPO } from './workspace.js';

/**
 * The reference Keystone (`shared/reference-keystone`, Debian's Keystone Zed under uWSGI): the
 * shared instance `.ci/run` starts on 127.0.0.1:5000, or one of a suite's own.
 */

/** `shared/` sits beside the repository (`/work/main` → `/work/shared`), or beside a worktree's parent. */
export const REFERENCE_KEYSTONE =
  process.env.GI_REFERENCE_KEYSTONE ??
  [path.resolve(REPO, '..', 'shared', 'reference-keystone'), path.resolve(REPO, '..', '..', 'shared', 'reference-keystone')].find((d) =>
    existsSync(path.join(d, 'start.sh')),
  ) ??
  path.resolve(REPO, '..', 'shared', 'reference-keystone');

/** The users register-image-service.sh creates, with their passwords and projects. */
export const USERS = {
  admin: { password: 'admin', project: 'admin' },
  glance: { password: 'glance', project: 'service' },
  demo: { password: 'demo', project: 'demo' },
  demo_reader: { password: 'demo', project: 'demo' },
  alt_demo: { password: 'demo', project: 'alt_demo' },
} as const;
export type User = keyof typeof USERS;

export interface IssuedToken {
  token: string;
  body: { token: { user: { id: string }; project: { id: string; name: string }; expires_at: string; roles: Array<{ name: string }> } };
}

export class Keystone {
  private constructor(
    readonly url: string,
    readonly home: string,
    readonly port: number,
  ) {}

  /** The instance `.ci/run` started (KS_HOME /tmp/keystone-ref, port 5000); refuses to go on without it. */
  static async shared(): Promise<Keystone> {
    const port = Number(process.env.GI_KEYSTONE_PORT ?? 5000);
    const ks = new Keystone(`http://127.0.0.1:${port}`, process.env.GI_KEYSTONE_HOME ?? '/tmp/keystone-ref', port);
    if (!(await ks.healthy())) throw new Error(`no Keystone answers on ${ks.url}: start it with \`bash ${REFERENCE_KEYSTONE}/start.sh\` (.ci/run does)`);
    return ks;
  }

  /** A Keystone of the suite's own in `home`, on a free port: set up, bootstrapped, users registered. */
  static async start(home: string, env: Record<string, string> = {}): Promise<Keystone> {
    const ks = new Keystone('', home, await freePort());
    Object.assign(ks, { url: `http://127.0.0.1:${ks.port}` });
    await ks.restart(env);
    return ks;
  }

  private env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      KS_HOME: this.home,
      KS_PORT: String(this.port),
      KS_IMAGE_URL: 'http://127.0.0.1:9',
      PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ''}`,
      ...extra,
    };
  }

  /** start.sh: sets up what is missing, starts uWSGI and waits for GET /v3. */
  async restart(env: Record<string, string> = {}): Promise<void> {
    await run('bash', [path.join(REFERENCE_KEYSTONE, 'start.sh')], { cwd: REPO, env: this.env(env), timeoutMs: 300_000 });
  }

  /** stop.sh: stops this instance's processes by PID. */
  async stop(): Promise<void> {
    await run('bash', [path.join(REFERENCE_KEYSTONE, 'stop.sh')], { cwd: REPO, env: this.env(), timeoutMs: 60_000 });
  }

  async healthy(): Promise<boolean> {
    try {
      return (await fetch(`${this.url}/v3`, { signal: AbortSignal.timeout(5000) })).ok;
    } catch {
      return false;
    }
  }

  /**
   * The README's glance-api.conf (`fixtures/keystone-glance-api.conf`: `[paste_deploy] flavor =
   * keystone` and `[keystone_authtoken]`) for this Keystone; `extra` adds [keystone_authtoken] options.
   */
  authtoken(extra = ''): string {
    return (
      readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'keystone-glance-api.conf'), 'utf8').replaceAll('http://127.0.0.1:5000', this.url) + extra
    );
  }

  /** A project-scoped password token. */
  async issue(user: User): Promise<IssuedToken> {
    const { password, project } = USERS[user];
    const res = await fetch(`${this.url}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: user, domain: { name: 'Default' }, password } } },
          scope: { project: { name: project, domain: { name: 'Default' } } },
        },
      }),
    });
    if (res.status !== 201) throw new Error(`Keystone answered ${res.status} to ${user}'s password: ${await res.text()}`);
    return { token: res.headers.get('x-subject-token')!, body: (await res.json()) as IssuedToken['body'] };
  }

  /** `openstack token revoke`: DELETE /v3/auth/tokens. */
  async revoke(token: string): Promise<void> {
    const admin = (await this.issue('admin')).token;
    const res = await fetch(`${this.url}/v3/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': admin, 'x-subject-token': token } });
    if (res.status !== 204) throw new Error(`revoking a token: ${res.status} ${await res.text()}`);
  }

  /** The IDs start.sh wrote to `ids.env` (DEMO_PROJECT_ID, ...). */
  ids(): Record<string, string> {
    return Object.fromEntries(
      readFileSync(path.join(this.home, 'ids.env'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('=') as [string, string]),
    );
  }

  /** The environment of `$KS_HOME/<user>-openrc` for the openstack CLI, in `region`. */
  openrc(user: User, region: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const m of readFileSync(path.join(this.home, `${user}-openrc`), 'utf8').matchAll(/^export (\w+)=(.*)$/gm))
      env[m[1]!] = m[2]!.replace(/^'(.*)'$/, '$1');
    return { ...env, OS_REGION_NAME: region, PATH: `/usr/bin:/bin:${process.env.PATH ?? ''}` };
  }

  private async admin(method: string, p: string, body?: unknown): Promise<any> {
    const token = (await this.issue('admin')).token;
    const res = await fetch(`${this.url}/v3${p}`, {
      method,
      headers: { 'x-auth-token': token, 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    if (res.status >= 300) throw new Error(`Keystone ${method} ${p}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : res.json();
  }

  /**
   * A region of the suite's own with image endpoints (public, internal, admin) at `imageUrl`, so
   * suites sharing one Keystone do not move each other's endpoints. Returns its name and its removal.
   */
  async addRegion(imageUrl: string, prefix = 'gi-e2e'): Promise<{ region: string; remove: () => Promise<void> }> {
    const region = `${prefix}-${randomBytes(4).toString('hex')}`;
    await this.admin('POST', '/regions', { region: { id: region, description: 'glance-import end-to-end suite' } });
    const service = ((await this.admin('GET', '/services?type=image')).services as Array<{ id: string }>)[0];
    if (!service) throw new Error('Keystone has no image service: run register-image-service.sh');
    const ids: string[] = [];
    for (const iface of ['public', 'internal', 'admin']) {
      ids.push(
        (await this.admin('POST', '/endpoints', { endpoint: { service_id: service.id, interface: iface, url: imageUrl, region_id: region } })).endpoint.id,
      );
    }
    return {
      region,
      remove: async () => {
        for (const id of ids) await this.admin('DELETE', `/endpoints/${id}`);
        await this.admin('DELETE', `/regions/${region}`);
      },
    };
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}
