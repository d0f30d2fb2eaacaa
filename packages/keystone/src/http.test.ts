import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { request } from './http.js';

const tls = { rejectUnauthorized: true };

/** A port that accepts connections and never answers: a Keystone hung on its database. */
async function silentPort(): Promise<{ port: number; accepted: () => number; server: Server }> {
  let n = 0;
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    n++;
    sockets.push(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  return { port: (server.address() as { port: number }).port, accepted: () => n, server };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

describe('request', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('gives up on a Keystone that does not answer after the timeout, each retry included', async () => {
    const silent = await silentPort();
    servers.push(silent.server);
    const err = await request('GET', `http://127.0.0.1:${silent.port}/v3`, {}, undefined, { timeoutMs: 300, maxRetries: 1, tls }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'GI_KEYSTONE_UNREACHABLE',
      status: 503,
      message: `The Keystone service is temporarily unavailable: http://127.0.0.1:${silent.port}/v3 did not answer (no answer within 0.3 s).`,
    });
    expect(silent.accepted()).toBe(2);
  });

  it('tries a failing connection again http_request_max_retries times, then names the failure', async () => {
    let accepted = 0;
    const resetting = createServer((s) => {
      accepted++;
      s.destroy();
    });
    servers.push(resetting);
    await new Promise<void>((r) => resetting.listen(0, '127.0.0.1', r));
    const { port: resetPort } = resetting.address() as { port: number };
    const reset = await request('GET', `http://127.0.0.1:${resetPort}/v3`, {}, undefined, { timeoutMs: 5000, maxRetries: 2, tls }).catch((e: unknown) => e);
    expect(reset).toMatchObject({ code: 'GI_KEYSTONE_UNREACHABLE', message: expect.stringContaining('socket hang up') });
    expect(accepted).toBe(3);
    const port = await closedPort();
    const refused = await request('GET', `http://127.0.0.1:${port}/v3?x=1`, {}, undefined, { timeoutMs: 5000, maxRetries: 0, tls }).catch((e: unknown) => e);
    expect(refused).toMatchObject({
      code: 'GI_KEYSTONE_UNREACHABLE',
      message: `The Keystone service is temporarily unavailable: http://127.0.0.1:${port}/v3 did not answer (connect ECONNREFUSED 127.0.0.1:${port}).`,
    });
  });
});
