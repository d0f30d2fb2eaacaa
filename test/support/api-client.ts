import http from 'node:http';
import net from 'node:net';

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
  text: string;
  json: any;
}

export interface CallOptions {
  /** Sent as JSON with Content-Type application/json. */
  json?: unknown;
  body?: string | Buffer;
  headers?: Record<string, string>;
  /** Another identity for this call; null for none. */
  token?: string | null;
}

/** A client of a running server's Image API over plain HTTP (fetch), as a script would call it. */
export class ApiClient {
  constructor(
    readonly url: string,
    readonly token: string,
  ) {}

  as(token: string): ApiClient {
    return new ApiClient(this.url, token);
  }

  async call(method: string, path: string, o: CallOptions = {}): Promise<ApiAnswer> {
    const token = o.token === undefined ? this.token : o.token;
    const headers: Record<string, string> = { ...(token ? { 'X-Auth-Token': token } : {}), ...o.headers };
    let body = o.body;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(`${this.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const data = Buffer.from(await res.arrayBuffer());
    const text = data.toString();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, body: data, text, json };
  }

  /** Through node:http, which (unlike fetch) sends a body with any method, e.g. a GET with a body. */
  raw(method: string, path: string, body: string): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        `${this.url}${path}`,
        { method, headers: { 'X-Auth-Token': this.token, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => {
            text += d.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async create(extra: Record<string, unknown> = {}): Promise<string> {
    const r = await this.call('POST', '/v2/images', { json: { name: 'e2e', disk_format: 'raw', container_format: 'bare', ...extra } });
    if (r.status !== 201) throw new Error(`create answered ${r.status}: ${r.text}`);
    return r.json.id as string;
  }

  stage(id: string, data: Buffer): Promise<ApiAnswer> {
    return this.call('PUT', `/v2/images/${id}/stage`, { body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  }

  importDirect(id: string): Promise<ApiAnswer> {
    return this.call('POST', `/v2/images/${id}/import`, { json: { method: { name: 'glance-direct' } } });
  }

  async image(id: string): Promise<Record<string, any>> {
    return (await this.call('GET', `/v2/images/${id}`)).json;
  }

  async tasks(id: string): Promise<Array<Record<string, any>>> {
    return (await this.call('GET', `/v2/images/${id}/tasks`)).json.tasks;
  }

  /** Wait until the image's newest task has ended and the image is no longer importing. */
  async settled(id: string): Promise<{ image: Record<string, any>; task: Record<string, any> }> {
    for (let i = 0; i < 600; i++) {
      const [task] = await this.tasks(id);
      const image = await this.image(id);
      if (task && ['success', 'failure'].includes(task.status) && image.status !== 'importing') return { image, task };
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the import of ${id} did not end`);
  }
}

/**
 * PUT `declared` bytes' worth of Content-Length but send only `send` bytes, then either half-close
 * the connection (`end`: a truncated upload) or reset it (`destroy`: a client that goes away).
 * Resolves to whatever the server answered before the connection closed.
 */
export async function partialUpload(
  url: string,
  token: string,
  path: string,
  o: { declared: number; send: number; close: 'end' | 'destroy' },
): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  let answer = '';
  socket.on('data', (d: Buffer) => {
    answer += d.toString();
  });
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `PUT ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nX-Auth-Token: ${token}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${o.declared}\r\n\r\n`,
  );
  await new Promise((resolve) => socket.write(Buffer.alloc(o.send, 0x5a), resolve));
  await new Promise((resolve) => setTimeout(resolve, 50));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  if (o.close === 'end') socket.end();
  else socket.destroy();
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 10_000)).then(() => socket.destroy())]);
  return answer;
}
