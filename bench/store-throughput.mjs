// The import's byte path against the disk's limit, measured in one run (these machines are noisy, so
// only ratios to the baseline taken in the same run mean anything). Needs `pnpm build` first.
//   BENCH_MIB=512 pnpm bench
import { createReadStream, createWriteStream, mkdtempSync, openSync, fsyncSync, closeSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomBytes, randomUUID } from 'node:crypto';
import { createFileStore, hashStream, StagingArea, writeToStores } from '@glance-import/store';

const MiB = 1024 * 1024;
const size = Number(process.env.BENCH_MIB ?? 256) * MiB;
const dir = mkdtempSync(path.join(tmpdir(), 'gi-bench-'));
const src = path.join(dir, 'source.img');
const block = randomBytes(MiB);
const fd = openSync(src, 'w');
for (let i = 0; i < size / MiB; i++) writeFileSync(fd, block);
fsyncSync(fd);
closeSync(fd);
const read = () => createReadStream(src, { highWaterMark: MiB });

async function time(name, fn) {
  await fn(); // warm the page cache and the code paths
  const runs = [];
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    await fn();
    runs.push(Number(process.hrtime.bigint() - t) / 1e9);
  }
  const best = Math.min(...runs);
  return { name, secs: best, mibs: size / MiB / best };
}

const results = [];
results.push(
  await time('baseline: copy + fsync (the disk limit)', async () => {
    const out = path.join(dir, 'copy');
    await pipeline(read(), createWriteStream(out));
    const f = openSync(out, 'r+');
    fsyncSync(f);
    closeSync(f);
    rmSync(out);
  }),
);
results.push(await time('hash only: md5 + sha512 on this thread', () => hashStream(read())));
results.push(await time('hash only: md5 + sha512 on two worker threads', () => hashStream(read(), { expectedBytes: size })));
const staging = new StagingArea(path.join(dir, 'staging'));
results.push(
  await time('stage (atomic, counted, not hashed)', async () => {
    const id = randomUUID();
    await staging.write(id, read(), { hash: false });
    await staging.remove(id);
  }),
);
for (const n of [1, 2, 3]) {
  const stores = Array.from({ length: n }, (_, i) => createFileStore(`s${i}`, { dir: path.join(dir, `store${i}`) }));
  results.push(
    await time(`import to ${n} store(s): one read, md5 + sha512 in the same pass`, async () => {
      const id = randomUUID();
      // expectedBytes, as the import passes it, lets large data be hashed on worker threads.
      const res = await writeToStores(read(), stores, id, { expectedBytes: size });
      for (const [i, r] of res.results.entries()) if (r.ok) await stores[i].delete(r.location);
    }),
  );
}
rmSync(dir, { recursive: true, force: true });

const base = results[0].mibs;
console.log(`${size / MiB} MiB, best of 3 runs each; ratio = throughput / baseline`);
for (const r of results) console.log(`${r.name.padEnd(70)} ${r.mibs.toFixed(0).padStart(6)} MiB/s  ratio ${(r.mibs / base).toFixed(2)}`);
