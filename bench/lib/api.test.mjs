import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latencyScript, probeLatency, wrk } from './api.mjs';

// Debian's wrk against a local server that answers each request after DELAY_MS.
const DELAY_MS = 5;
let server;
let url;
let served = 0;
let dir;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gi-bench-api-'));
  server = http.createServer((req, res) => {
    served++;
    setTimeout(() => res.end('{}'), DELAY_MS);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}/v2/images/x`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('wrk with the latency script', () => {
  it('prints every latency it recorded: one per answered request, in microseconds', async () => {
    served = 0;
    const run = await wrk(url, { seconds: 1, connections: 1, script: latencyScript(dir) });
    const counted = run.latencies.reduce((n, [, c]) => n + c, 0);
    expect(counted).toBeGreaterThan(10);
    // One per request answered, plus those wrk adds for requests a slow answer held back (its
    // coordinated-omission correction, which its own percentiles include too).
    expect(counted).toBeGreaterThanOrEqual(run.requests);
    expect(served).toBeGreaterThanOrEqual(run.requests);
    // Node's timers keep time in whole milliseconds: a delay may end up to 1 ms early.
    for (const [us] of run.latencies) expect(us).toBeGreaterThanOrEqual((DELAY_MS - 1) * 1000);
  });

  it('adds up the windows of a probe: the p99 of all their requests, and each window p99', async () => {
    let windows = 0;
    served = 0;
    const probe = await probeLatency(url, dir, () => windows++ >= 2);
    expect(probe.windowP99).toHaveLength(2);
    expect(probe.requests).toBeGreaterThan(20);
    // Requests the server answered, not wrk's corrected samples.
    expect(probe.requests).toBeLessThanOrEqual(served);
    expect(probe.p99).toBeGreaterThanOrEqual(DELAY_MS - 1);
    expect(probe.p99).toBeLessThanOrEqual(Math.max(...probe.windowP99) + 1);
  });
});
