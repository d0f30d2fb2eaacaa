import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@glance-import/core';
import { createServer, serverSchema, type GlanceServer } from '@glance-import/server';
import { afterAll, beforeAll } from 'vitest';
import { Corpus } from './corpus.js';
import { REPO } from './workspace.js';

export interface Answer {
  status: number;
  json: any;
  text: string;
}

export interface Task {
  id: string;
  status: string;
  message: string;
  result: any;
  progress: any;
  inspections: any;
  error_code: string | null;
  error_hint: string | null;
  error_plugin: string | null;
}

/**
 * The service as `glance-import serve` runs it from the repository root: the given
 * glance-image-import.conf, the plugins discovered as workspace packages (their built dist/), on
 * 127.0.0.1 and a port the system picks, spoken to over HTTP.
 */
export class ImageApi {
  private constructor(
    readonly server: GlanceServer,
    readonly url: string,
    readonly dataDir: string,
    readonly tokens: { admin: string; member: string },
  ) {}

  static async start(conf: string): Promise<ImageApi> {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gi-e2e-import-'));
    const confFile = path.join(dataDir, 'glance-image-import.conf');
    writeFileSync(confFile, conf);
    const config = await loadConfig({ configFiles: [confFile], searchFrom: false, schema: serverSchema });
    const server = await createServer({ config, dataDir, root: REPO, logger: { level: process.env.GI_E2E_LOG ?? 'silent' } });
    const url = await server.listen('127.0.0.1', 0);
    const t = server.runtime.db.tokens;
    const tokens = {
      admin: await t.create({ userId: 'admin', projectId: 'admin-project', roles: ['admin', 'member', 'reader'] }),
      member: await t.create({ userId: 'alice', projectId: 'p1', roles: ['member', 'reader'] }),
    };
    return new ImageApi(server, url, dataDir, tokens);
  }

  get stagingDir(): string {
    return this.server.runtime.staging.dir;
  }

  async close(): Promise<void> {
    await this.server.close();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  async call(method: string, route: string, o: { token?: string; json?: unknown; data?: Buffer; headers?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { 'x-auth-token': o.token ?? this.tokens.member, accept: 'application/json', ...o.headers };
    let body: string | Buffer | undefined;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] ??= 'application/json';
    }
    if (o.data !== undefined) {
      body = o.data;
      headers['content-type'] = 'application/octet-stream';
    }
    const res = await fetch(`${this.url}${route}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  }

  async createImage(properties: Record<string, unknown>, token?: string): Promise<string> {
    const r = await this.call('POST', '/v2/images', { json: { name: 'e2e', container_format: 'bare', ...properties }, ...(token ? { token } : {}) });
    if (r.status !== 201) throw new Error(`create image: ${r.status} ${r.text}`);
    return r.json.id as string;
  }

  image(id: string): Promise<any> {
    return this.call('GET', `/v2/images/${id}`, { token: this.tokens.admin }).then((r) => r.json);
  }

  /** GET /file: the image's data as the API serves it (204 and nothing when it has none). */
  async download(id: string): Promise<{ status: number; data: Buffer }> {
    const res = await fetch(`${this.url}/v2/images/${id}/file`, { headers: { 'x-auth-token': this.tokens.admin } });
    return { status: res.status, data: Buffer.from(await res.arrayBuffer()) };
  }

  stage(id: string, file: string, token?: string): Promise<Answer> {
    return this.call('PUT', `/v2/images/${id}/stage`, { data: readFileSync(file), ...(token ? { token } : {}) });
  }

  async tasks(id: string): Promise<Task[]> {
    return (await this.call('GET', `/v2/images/${id}/tasks`, { token: this.tokens.admin })).json.tasks as Task[];
  }

  /** POST import (glance-direct), wait until its task ends and the flow is done, and return the task. */
  async importDirect(id: string, token?: string): Promise<Task> {
    const before = new Set((await this.tasks(id)).map((t) => t.id));
    const r = await this.call('POST', `/v2/images/${id}/import`, { json: { method: { name: 'glance-direct' } }, ...(token ? { token } : {}) });
    if (r.status !== 202) throw new Error(`import: ${r.status} ${r.text}`);
    for (let i = 0; i < 3000; i++) {
      const task = (await this.tasks(id)).find((t) => !before.has(t.id));
      if (task && (task.status === 'success' || task.status === 'failure')) {
        // The flow goes on a little after the task ends (staging clean-up): wait for it too.
        await this.server.runtime.imports.drain();
        return (await this.tasks(id)).find((t) => t.id === task.id)!;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`import of ${id} did not end within 60 s`);
  }

  /** The staging directory's entries that belong to an image (`<id>`, `<id>.*`). */
  staged(id: string): string[] {
    return readdirSync(this.stagingDir)
      .filter((n) => n === id || n.startsWith(`${id}.`))
      .sort();
  }

  /** Files anywhere in the data dir, staging aside, that carry the image's id (what the stores hold). */
  stored(id: string): string[] {
    const staging = path.relative(this.dataDir, this.stagingDir);
    return readdirSync(this.dataDir, { recursive: true })
      .map(String)
      .filter((n) => n.includes(id) && !n.startsWith(`${staging}${path.sep}`));
  }
}

/**
 * For a suite file: build a corpus in a temp dir and start one service per config, before its
 * tests; close and remove them after.
 */
export function withServices(confs: readonly string[], ready: (corpus: Corpus, apis: ImageApi[]) => void): void {
  let corpus: Corpus | undefined;
  let apis: ImageApi[] = [];
  beforeAll(async () => {
    [corpus, ...apis] = await Promise.all([Corpus.build(mkdtempSync(path.join(tmpdir(), 'gi-e2e-corpus-'))), ...confs.map((c) => ImageApi.start(c))]);
    ready(corpus, apis);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(apis.map((a) => a.close()));
    corpus?.remove();
  });
}

/** The operator's glance-image-import.conf of the pipeline suites. */
export const PIPELINE_CONF = readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'import-pipeline.conf'), 'utf8');
