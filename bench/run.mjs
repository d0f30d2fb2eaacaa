// `pnpm bench`: every case of issue 11 next to its limit measured in the same run, and next to the
// reference Glance when it is there. Prints a table of medians and ratios, writes a JSON file, and
// exits 1 when a ratio misses its target by more than the spread the run measured.
//   pnpm bench                  the full run (1 GiB and 4 GiB files, 3 rounds, 5 for glance-direct, 2,000 images, 100,000 for paging)
//   pnpm bench -- --quick       the harness itself: small files, 2 rounds (BENCH_QUICK=1 too)
// Env: BENCH_MIB, BENCH_BIG_MIB, BENCH_ROUNDS, BENCH_GD_ROUNDS, BENCH_API_IMAGES, BENCH_PAGE_IMAGES, BENCH_WRK_SECONDS,
// BENCH_GLANCE=0 (skip the reference Glance), BENCH_OUT (the JSON file), BENCH_DIR (scratch, default the OS temp dir).
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, createReadStream } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyFsync, convertThenHash, curlAndHash, directLimit, gunzip } from './lib/baselines.mjs';
import { active, createImage, glanceDirect, remove, stage, startImport, webDownload } from './lib/client.mjs';
import { gzipOf, qcow2Of, rawFile } from './lib/inputs.mjs';
import { populate, postScript, probeLatency, wrk, wrkAvailable } from './lib/api.mjs';
import { fillCatalogue, markersAt } from './lib/catalogue.mjs';
import { freePort, glanceAvailable, memoryOf, REPO, startGlance, startOurs } from './lib/servers.mjs';
import { rounds, secondsSince, summary } from './lib/stats.mjs';
import { formatTable, judge } from './lib/report.mjs';

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const num = (k, full, quick) => Number(process.env[k] ?? (QUICK ? quick : full));
const cfg = {
  quick: QUICK,
  mib: num('BENCH_MIB', 1024, 64),
  bigMib: num('BENCH_BIG_MIB', 4096, 256),
  rounds: num('BENCH_ROUNDS', 3, 2),
  // glance-direct against its limit is the case this machine's drift moves most (a round in four to
  // six writes its page cache several times slower, bench/README.md): five rounds keep one such round
  // out of the median. Never fewer than the other cases.
  gdRounds: Math.max(num('BENCH_GD_ROUNDS', 5, 2), num('BENCH_ROUNDS', 3, 2)),
  concurrent: 8,
  apiImages: num('BENCH_API_IMAGES', 2000, 200),
  pageImages: num('BENCH_PAGE_IMAGES', 100_000, 10_000),
  wrkSeconds: num('BENCH_WRK_SECONDS', 5, 2),
};
// Before anything is made, so a missing tool leaves nothing behind.
if (!(await wrkAvailable())) throw new Error('wrk is missing: apt-get install wrk');
const started = process.hrtime.bigint();
const log = (m) => console.error(`[bench ${secondsSince(started).toFixed(0).padStart(4)} s] ${m}`);
const work = mkdtempSync(path.join(process.env.BENCH_DIR ?? tmpdir(), 'gi-bench-'));
const running = new Set();
const track = (server) => {
  running.add(server);
  return server;
};
const stop = async (server) => {
  running.delete(server);
  await server.stop();
};
const cleanup = async () => {
  for (const s of [...running]) await stop(s).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
};
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => void cleanup().then(() => process.exit(130)));

const rows = [];
const s = (xs) => summary(xs);
const R = cfg.rounds;
const useGlance = glanceAvailable();

try {
  log(`inputs: ${cfg.mib} MiB raw, its qcow2 and gzip, ${cfg.bigMib} MiB raw, in ${work}`);
  const raw = rawFile(path.join(work, 'image.raw'), cfg.mib);
  const big = rawFile(path.join(work, 'big.raw'), cfg.bigMib);
  const qcow2 = qcow2Of(raw, path.join(work, 'image.qcow2'));
  const gz = await gzipOf(raw, path.join(work, 'image.raw.gz'));
  const scratch = (n) => path.join(work, `out-${n}`);

  // A plain local HTTP server for web-download and its curl baseline.
  const webPort = await freePort();
  const web = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(raw).size });
    createReadStream(raw, { highWaterMark: 1 << 20 }).pipe(res);
  });
  await new Promise((r) => web.listen(webPort, '127.0.0.1', r));
  const webUrl = `http://127.0.0.1:${webPort}/image.raw`;

  log('baselines');
  await copyFsync(raw, scratch('warm')); // page cache and code paths warm for every case alike
  const copy3 = await rounds(R, async () => {
    for (let i = 0; i < 3; i++) await copyFsync(raw, scratch(`copy3-${i}`));
  });
  const convert = await rounds(R, () => convertThenHash(qcow2, scratch('convert')));
  const unzip = await rounds(R, () => gunzip(gz, scratch('gunzip')));
  const curl = await rounds(R, () => curlAndHash(webUrl, raw, scratch('curl')));

  // Glance runs beside ours and the rounds alternate (ours, Glance, ours, ...): a machine whose load
  // changes during the run then weighs on both alike.
  const glance = {};
  const g = useGlance ? (log('the reference Glance: starting'), track(await startGlance(path.join(work, 'glance')))) : undefined;

  log('glance-direct, 4 GiB import step, three stores, web-download');
  const ours = track(await startOurs(path.join(work, 'ours'), { webPort }));
  await glanceDirect(ours, raw); // warm-up
  if (g) await glanceDirect(g, raw);
  // The limit is measured beside each round, not minutes before them: the speed of this kind of
  // machine drifts over minutes (a host's other guests), and the ratio is of neighbours in time.
  const gd = [];
  const limit = [];
  if (g) glance.gd = [];
  for (let i = 0; i < cfg.gdRounds; i++) {
    limit.push(await directLimit(raw, scratch('copy')));
    gd.push(await glanceDirect(ours, raw));
    if (g) glance.gd.push(await glanceDirect(g, raw));
  }
  const gdBig = [];
  for (let i = 0; i < R; i++) gdBig.push(await glanceDirect(ours, big));
  const three = [];
  for (let i = 0; i < R; i++) three.push(await glanceDirect(ours, raw, { stores: ['local', 'b', 'c'] }));
  const wd = await rounds(R, () => webDownload(ours, webUrl));

  log(`API with ${cfg.apiImages} images`);
  const sites = g ? [ours, g] : [ours];
  const api = Object.fromEntries(sites.map((site) => [site.name, {}]));
  const targets = {};
  for (const site of sites) {
    const ids = await populate(site, cfg.apiImages);
    const marker = ids[Math.floor(ids.length / 2)];
    targets[site.name] = {
      'GET /v2/images?limit=25': { url: `${site.url}/v2/images?limit=25` },
      'GET /v2/images?limit=25&marker=…': { url: `${site.url}/v2/images?limit=25&marker=${marker}` },
      'GET /v2/images/{id}': { url: `${site.url}/v2/images/${ids[0]}` },
      'POST /v2/images': { url: `${site.url}/v2/images`, script: postScript(work) },
    };
  }
  for (const name of Object.keys(targets.ours)) {
    for (const site of sites) {
      await wrk(targets[site.name][name].url, { seconds: Math.min(2, cfg.wrkSeconds), script: targets[site.name][name].script }); // warm-up
      api[site.name][name] = [];
    }
    for (let i = 0; i < R; i++) {
      for (const site of sites) {
        const c = targets[site.name][name];
        const run = await wrk(c.url, { seconds: cfg.wrkSeconds, script: c.script });
        if (run.bad > 0 || run.errors) throw new Error(`${site.name}: ${name}: failed answers ${JSON.stringify(run)}`);
        api[site.name][name].push(run);
      }
    }
  }
  await stop(ours);
  if (g) await stop(g);

  log('qcow2 → raw with image_conversion');
  const conv = track(await startOurs(path.join(work, 'ours-convert'), { plugins: ['image_conversion'] }));
  const gc = useGlance ? track(await startGlance(path.join(work, 'glance-convert'), { plugins: ['image_conversion'] })) : undefined;
  const cv = [];
  if (gc) glance.cv = [];
  for (let i = 0; i < R; i++) {
    cv.push(await glanceDirect(conv, qcow2, { imageProps: { disk_format: 'qcow2' } }));
    if (gc) glance.cv.push(await glanceDirect(gc, qcow2, { imageProps: { disk_format: 'qcow2' } }));
  }
  await stop(conv);
  if (gc) await stop(gc);

  log('gzip with image_decompression (ours only: the reference plugin leaves the image importing)');
  const dec = track(await startOurs(path.join(work, 'ours-decompress'), { plugins: ['image_decompression'] }));
  const dz = [];
  for (let i = 0; i < R; i++) dz.push(await glanceDirect(dec, gz));
  await stop(dec);

  log(`ours: ${cfg.concurrent} concurrent imports of ${cfg.mib} MiB on a fresh server`);
  const fresh = track(await startOurs(path.join(work, 'ours-concurrent')));
  const probeId = await createImage(fresh);
  const ids = await Promise.all(Array.from({ length: cfg.concurrent }, () => createImage(fresh)));
  let done = false;
  const t = process.hrtime.bigint();
  const imports = Promise.all(
    ids.map(async (id) => {
      await stage(fresh, id, raw);
      await startImport(fresh, id, {});
      await active(fresh, id);
    }),
  ).finally(() => {
    done = true;
  });
  const probe = await probeLatency(`${fresh.url}/v2/images/${probeId}`, work, () => done);
  await imports;
  const concurrentS = secondsSince(t);
  const mem = memoryOf(fresh.pid);
  for (const id of ids) await remove(fresh, id);
  await stop(fresh);

  log(`ours: page cost at image 100 and image ${cfg.pageImages.toLocaleString('en')}`);
  const pagesDir = path.join(work, 'ours-pages');
  await fillCatalogue(path.join(pagesDir, 'data'), cfg.pageImages);
  const pages = track(await startOurs(pagesDir));
  const [early, late] = await markersAt(path.join(pagesDir, 'data'), [100, cfg.pageImages - 100]);
  // The two pages take turns (early, late, early, ...): the ratio is then of neighbours in time, as
  // glance-direct's against its limit, not of two blocks a minute apart on a machine that drifts.
  const pageUrl = (marker) => `${pages.url}/v2/images?limit=25&marker=${marker}`;
  for (const marker of [early, late]) await wrk(pageUrl(marker), { seconds: 1 });
  const pageEarly = [];
  const pageLate = [];
  for (let i = 0; i < R; i++) {
    pageEarly.push(await wrk(pageUrl(early), { seconds: cfg.wrkSeconds }));
    pageLate.push(await wrk(pageUrl(late), { seconds: cfg.wrkSeconds }));
  }
  await stop(pages);

  web.close();

  // --- the table -----------------------------------------------------------------------------
  const total = (xs) => xs.map((x) => x.total);
  const step = (xs) => xs.map((x) => x.importStep);
  const rps = (runs) => runs.map((r) => r.rps);
  const size = `${cfg.mib >= 1024 ? `${cfg.mib / 1024} GiB` : `${cfg.mib} MiB`}`;
  const bigSize = `${cfg.bigMib >= 1024 ? `${cfg.bigMib / 1024} GiB` : `${cfg.bigMib} MiB`}`;
  rows.push(
    {
      case: `glance-direct ${size} raw, PUT /stage → active`,
      unit: 's',
      ours: s(total(gd)),
      limit: { label: 'max(copy+fsync, md5∥sha512)', ...s(limit), target: 1.15 },
      ...(glance.gd ? { glance: { ...s(total(glance.gd)), target: 3 } } : {}),
    },
    {
      case: `import step ${bigSize} vs ${size} (move, not copy)`,
      unit: 's',
      ours: s(step(gdBig)),
      limit: { label: `import step of ${size}`, ...s(step(gd)), target: 1.1 },
      resolutionS: 0.1,
    },
    { case: `3 file stores ${size}, PUT /stage → active`, unit: 's', ours: s(total(three)), limit: { label: '3 × copy+fsync', ...s(copy3), target: 1.2 } },
    {
      case: `qcow2 → raw ${size}, import step (image_conversion)`,
      unit: 's',
      ours: s(step(cv)),
      limit: { label: 'qemu-img convert, then md5∥sha512', ...s(convert), target: 1.15 },
    },
    ...(glance.cv
      ? [{ case: `qcow2 → raw ${size}, PUT /stage → active`, unit: 's', ours: s(total(cv)), glance: { ...s(total(glance.cv)), target: 1.5 } }]
      : []),
    {
      case: `gzip ${size}, import step (image_decompression)`,
      unit: 's',
      ours: s(step(dz)),
      limit: { label: "Node's zlib gunzip alone", ...s(unzip), target: 1.1 },
    },
    { case: `web-download ${size} from loopback HTTP`, unit: 's', ours: s(wd), limit: { label: 'curl to a file ∥ md5∥sha512', ...s(curl), target: 1.15 } },
    { case: `${cfg.concurrent} concurrent ${size} imports, server peak RSS`, unit: 'MiB', ours: s([mem.peakMiB]), absolute: { max: 200 } },
    {
      case: `GET /v2/images/{id} p99 during them (${probe.requests} requests)`,
      unit: 'ms',
      ours: s([probe.p99]),
      absolute: { max: 50 },
    },
  );
  for (const name of Object.keys(api.ours)) {
    rows.push({
      case: `${name} (${cfg.apiImages} images, wrk -c8)`,
      unit: 'req/s',
      higher: true,
      ours: s(rps(api.ours[name])),
      ...(api.glance ? { glance: { ...s(rps(api.glance[name])), target: 10 } } : {}),
    });
  }
  rows.push({
    case: `page after image ${(cfg.pageImages - 100).toLocaleString('en')} vs after image 100 (${cfg.pageImages.toLocaleString('en')} images)`,
    unit: 'req/s',
    higher: true,
    ours: s(rps(pageLate)),
    limit: { label: 'page after image 100', ...s(rps(pageEarly)), target: 1.2 },
  });

  for (const r of rows) judge(r);
  const report = {
    date: new Date().toISOString(),
    config: cfg,
    glance: useGlance,
    seconds: secondsSince(started),
    concurrent: { seconds: concurrentS, ...mem, probe },
    rows,
  };
  const out = process.env.BENCH_OUT ?? path.join(REPO, 'bench', 'results', QUICK ? 'quick.json' : 'last.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(formatTable(rows, { rounds: R, gdRounds: cfg.gdRounds, quick: QUICK }));
  console.log(`\n${(report.seconds / 60).toFixed(1)} min; JSON: ${out}`);
  const missed = rows.filter((r) => r.verdict === 'MISSED');
  if (missed.length) {
    console.log(`${missed.length} target(s) missed by more than the measured spread: ${missed.map((r) => r.case).join('; ')}`);
    if (!QUICK) process.exitCode = 1;
  }
} finally {
  await cleanup();
}
