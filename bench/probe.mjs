// One case of `pnpm bench`, quickly, with the server's CPU time beside the wall time: the loop for
// working on the byte path. `node bench/probe.mjs <case> [rounds]`, case one of gd (glance-direct),
// three (3 file stores), wd (web-download), cv (qcow2 → raw), dz (gzip), c8 (8 imports at once: peak RSS, p99),
// list / marker / id (GET /v2/images?limit=25, the same after a marker, GET /v2/images/{id}: wrk -c8 for
// 5 s a round, BENCH_API_IMAGES images, 2000). BENCH_MIB sets the size (1024);
// PROBE_THREADS=1 adds the CPU seconds of each thread of the server that used some; PROBE_LIMIT=1 (gd)
// measures the limit right before each round, as pnpm bench does, and prints the ratio. The client's CPU
// (the uploaders it ran included) and the machine's busy and idle seconds cover the whole round, the
// image's delete after it included.
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync, createReadStream } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { populate, probeLatency, wrk } from './lib/api.mjs';
import { active, createImage, glanceDirect, stage, startImport, webDownload } from './lib/client.mjs';
import { gzipOf, qcow2Of, rawFile } from './lib/inputs.mjs';
import { freePort, memoryOf, startOurs } from './lib/servers.mjs';
import { directLimit } from './lib/baselines.mjs';
import { secondsSince } from './lib/stats.mjs';

const [which = 'gd', n = '3'] = process.argv.slice(2);
const mib = Number(process.env.BENCH_MIB ?? 1024);
const work = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), 'gi-probe-'));
const ticks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in s (USER_HZ 100)
};
// The client: this process and the uploaders it ran (children that exited count in cutime + cstime;
// the server, still running, does not).
const clientTicks = () => {
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
};
// The whole machine's idle and busy seconds (all cores), from /proc/stat: idle left during a round
// means something waited (a stall in the pipeline), not that the CPU was the limit.
const machine = () => {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = (f[3] + f[4]) / 100;
  return { idle, busy: f.slice(0, 8).reduce((a, b) => a + b, 0) / 100 - idle };
};
try {
  const api = ['list', 'marker', 'id'].includes(which);
  const raw = api ? undefined : rawFile(path.join(work, 'image.raw'), mib);
  const input = api
    ? undefined
    : which === 'cv'
      ? qcow2Of(raw, path.join(work, 'image.qcow2'))
      : which === 'dz'
        ? await gzipOf(raw, path.join(work, 'image.raw.gz'))
        : raw;
  const webPort = await freePort();
  const web = http.createServer((req, res) => {
    res.writeHead(200, { 'content-length': statSync(raw).size });
    createReadStream(raw, { highWaterMark: 1 << 20 }).pipe(res);
  });
  await new Promise((r) => web.listen(webPort, '127.0.0.1', r));
  const plugins = which === 'cv' ? ['image_conversion'] : which === 'dz' ? ['image_decompression'] : [];
  const ours = await startOurs(path.join(work, 'ours'), { plugins, webPort });
  if (api) {
    const ids = await populate(ours, Number(process.env.BENCH_API_IMAGES ?? 2000));
    const url = `${ours.url}/v2/images${which === 'id' ? `/${ids[0]}` : `?limit=25${which === 'marker' ? `&marker=${ids[Math.floor(ids.length / 2)]}` : ''}`}`;
    await wrk(url, { seconds: 2 }); // warm-up
    const rates = [];
    for (let i = 0; i < Number(n); i++) rates.push((await wrk(url, { seconds: 5 })).rps.toFixed(0));
    console.log(`${which}: ${rates.join(' ')} requests/s`);
  }
  if (which === 'c8') {
    // As pnpm bench: 8 imports at once on a fresh server, GET /v2/images/{id} probed while they run.
    const probeId = await createImage(ours);
    const ids = await Promise.all(Array.from({ length: 8 }, () => createImage(ours)));
    let done = false;
    const t = process.hrtime.bigint();
    const imports = Promise.all(
      ids.map((id) =>
        stage(ours, id, raw)
          .then(() => startImport(ours, id, {}))
          .then(() => active(ours, id)),
      ),
    ).finally(() => {
      done = true;
    });
    const probe = await probeLatency(`${ours.url}/v2/images/${probeId}`, work, () => done);
    await imports;
    const mem = memoryOf(ours.pid);
    console.log(
      `c8 ${mib} MiB: ${secondsSince(t).toFixed(1)} s, peak RSS ${mem.peakMiB.toFixed(0)} MiB, p99 ${probe.p99.toFixed(1)} ms of ${probe.requests} requests; p99 of each 2 s window (ms): ${probe.windowP99.map((x) => x.toFixed(0)).join(' ')}`,
    );
  }
  const once = () =>
    which === 'wd'
      ? webDownload(ours, `http://127.0.0.1:${webPort}/x`).then((total) => ({ total }))
      : glanceDirect(ours, input, {
          ...(which === 'three' ? { stores: ['local', 'b', 'c'] } : {}),
          ...(which === 'cv' ? { imageProps: { disk_format: 'qcow2' } } : {}),
        });
  // CPU seconds per thread (the main one, hashing workers, libuv's pool, V8's helpers), from /proc,
  // each with its share in the kernel: the pool's writes are all kernel time (their copy into the
  // page cache), the main thread's receiving partly.
  const threads = () => {
    const by = {};
    for (const t of readdirSync(`/proc/${ours.pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${ours.pid}/task/${t}/stat`, 'utf8');
        const name = /\((.*)\)/.exec(stat)[1];
        const f = stat.split(') ')[1].split(' ');
        by[`${name}#${t}`] = { cpu: (Number(f[11]) + Number(f[12])) / 100, sys: Number(f[12]) / 100 };
      } catch {
        // the thread ended
      }
    }
    return by;
  };
  const imports = !api && which !== 'c8';
  if (imports) await once(); // warm-up
  for (let i = 0; imports && i < Number(n); i++) {
    // PROBE_GAP=<s>: the server idles that long before each round (uploads do not come back to back).
    if (process.env.PROBE_GAP) await new Promise((r) => setTimeout(r, Number(process.env.PROBE_GAP) * 1000));
    // PROBE_LIMIT=1 (gd): the limit measured right before each round, as pnpm bench does, and the ratio.
    const limit = process.env.PROBE_LIMIT === '1' && which === 'gd' ? await directLimit(raw, path.join(work, 'copy')) : undefined;
    const c = ticks(ours.pid);
    const m0 = machine();
    const u0 = clientTicks();
    const before = threads();
    const r = await once();
    if (process.env.PROBE_THREADS === '1') {
      const after = threads();
      const used = Object.entries(after)
        .map(([k, v]) => [k.endsWith(`#${ours.pid}`) ? 'main' : k, v.cpu - (before[k]?.cpu ?? 0), v.sys - (before[k]?.sys ?? 0)])
        .filter(([, cpu]) => cpu > 0.02)
        .sort((x, y) => y[1] - x[1]);
      console.log(`  threads (CPU s, of which in the kernel): ${used.map(([k, cpu, sys]) => `${k} ${cpu.toFixed(2)} (${sys.toFixed(2)})`).join(', ')}`);
    }
    const cu = clientTicks() - u0;
    const m = machine();
    console.log(
      `${which} ${mib} MiB: total ${r.total.toFixed(2)} s${limit !== undefined ? ` (limit ${limit.toFixed(2)} s, ratio ${(r.total / limit).toFixed(2)})` : ''}${r.importStep !== undefined ? `, import step ${r.importStep.toFixed(2)} s` : ''}, server CPU ${(ticks(ours.pid) - c).toFixed(2)} s, client CPU ${cu.toFixed(2)} s, machine busy ${(m.busy - m0.busy).toFixed(2)} s idle ${(m.idle - m0.idle).toFixed(2)} s`,
    );
  }
  await ours.stop();
  web.close();
} finally {
  rmSync(work, { recursive: true, force: true });
}
