// The API cases: Debian's wrk on loopback, the same requests and headers for both servers.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { call } from './client.mjs';
import { IDENTITY } from './servers.mjs';
import { percentileOf } from './stats.mjs';

export const wrkAvailable = () => new Promise((resolve) => execFile('wrk', ['--version'], (e, out, err) => resolve(/^wrk /m.test(`${out}${err}`))));

/** Creates `n` images, `concurrency` requests at a time; returns their ids in creation order. */
export async function populate(site, n, concurrency = 8) {
  const ids = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        ids[i] = (await call(site, 'POST', '/v2/images', { name: `bench-${i}`, disk_format: 'raw', container_format: 'bare' })).id;
      }
    }),
  );
  return ids;
}

/** A wrk script for POST /v2/images with a JSON body (wrk sends it as given, every time). */
export function postScript(dir) {
  const file = path.join(dir, 'post-image.lua');
  writeFileSync(
    file,
    [
      'wrk.method = "POST"',
      `wrk.body = '${JSON.stringify({ name: 'wrk', disk_format: 'raw', container_format: 'bare' })}'`,
      'wrk.headers["Content-Type"] = "application/json"',
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * A wrk script that prints every latency it recorded (microseconds, count), so windows can be added
 * up: wrk prints only the percentiles of one run. They are what its percentiles are taken from:
 * with the samples wrk adds for requests a slow answer held back (coordinated omission).
 */
export function latencyScript(dir) {
  const file = path.join(dir, 'latencies.lua');
  writeFileSync(
    file,
    [
      'done = function(summary, latency, requests)',
      '  for i = 1, #latency do',
      '    local us, n = latency(i)',
      '    io.write(string.format("latency %d %d\\n", us, n))',
      '  end',
      'end',
      '',
    ].join('\n'),
  );
  return file;
}

/**
 * GET `url` on one connection in 2 s windows of wrk until `done()`: the p99 of every request made
 * (the target; over the latencies wrk recorded, its corrections included), the requests answered,
 * and each window's p99, which shows when the slow ones came.
 */
export async function probeLatency(url, dir, done) {
  const script = latencyScript(dir);
  const windows = [];
  const all = [];
  let requests = 0;
  while (!done()) {
    const { latencies = [], ...run } = await wrk(url, { seconds: 2, connections: 1, script });
    windows.push(run.p99);
    requests += run.requests;
    all.push(...latencies);
  }
  return { requests, p99: percentileOf(all, 99), windowP99: windows };
}

/**
 * One wrk run: requests per second, the requests answered, latency percentiles (ms), how many
 * answers were not 2xx, and with `latencyScript` every latency as [microseconds, count].
 */
export function wrk(url, { seconds, connections = 8, script } = {}) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...Object.entries(IDENTITY).flatMap(([k, v]) => ['-H', `${k}: ${v}`])];
  if (script) args.push('-s', script);
  args.push(url);
  return new Promise((resolve, reject) =>
    execFile('wrk', args, { timeout: (seconds + 30) * 1000 }, (e, out) => {
      if (e) return reject(new Error(`wrk: ${e.message}`));
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
      const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
      const errors = /Socket errors: (.*)/.exec(out)?.[1];
      const ms = (p) => {
        const m = new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
        return m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN;
      };
      if (!Number.isFinite(rps)) return reject(new Error(`wrk printed no rate:\n${out}`));
      const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
      const latencies = [...out.matchAll(/^latency (\d+) (\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
      resolve({ rps, requests, p50: ms(50), p99: ms(99), bad, ...(errors ? { errors } : {}), ...(latencies.length ? { latencies } : {}) });
    }),
  );
}
