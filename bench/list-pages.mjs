// What one page of GET /v2/images costs at the start of a large catalogue and at its end: the
// repository's keyset page (ORDER BY <keys>, id LIMIT 25 after the marker, from an index), next to
// what the listing did before (read every matching id, then find the marker in that list).
// `node list-pages.mjs` on SQLite in a temp dir; BENCH_IMAGES (default 100000), BENCH_PG_URL to
// run it on a PostgreSQL database as well (a schema of its own, dropped after).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '@glance-import/db';

const N = Number(process.env.BENCH_IMAGES ?? 100_000);
const ROUNDS = 200;
const viewer = { projectId: 'p1', isAdmin: false };
const ORDERS = {
  'created_at desc (default)': [
    { key: 'created_at', dir: 'desc' },
    { key: 'id', dir: 'desc' },
  ],
  'name asc': [
    { key: 'name', dir: 'asc' },
    { key: 'created_at', dir: 'asc' },
    { key: 'id', dir: 'asc' },
  ],
};

async function fill(db) {
  // One statement: ids and names in no particular order, creation times one second apart.
  await db.driver.execute(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${N})
    INSERT INTO images (id, name, status, visibility, owner, disk_format, container_format, size, min_disk, min_ram, protected, os_hidden, created_at, updated_at, deleted)
    SELECT 'img-' || ((CAST(i AS BIGINT) * 7919) % ${N}) || '-' || i, 'name-' || ((CAST(i AS BIGINT) * 104729) % 5000), 'active', CASE WHEN i % 3 = 0 THEN 'private' ELSE 'public' END,
      'p' || (i % 20), 'raw', 'bare', i, 0, 0, 0, 0, '2020-01-01T00:00:00.000Z' || substr('000000' || i, -6), '2020-01-01T00:00:00.000Z', 0 FROM n`);
  await db.driver.execute('ANALYZE');
}

/** Median microseconds of `fn` over ROUNDS runs, after a warm-up. */
async function median(fn) {
  for (let i = 0; i < 20; i++) await fn();
  const t = [];
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    await fn();
    t.push((performance.now() - start) * 1000);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
}

async function run(label, url) {
  const db = await openDatabase(url);
  try {
    await fill(db);
    console.log(`\n${label}: ${N.toLocaleString('en')} images, pages of 25, median of ${ROUNDS} (µs)`);
    console.log('order                      | page after image 100 | page 100 before the end | ratio | whole id list (before)');
    for (const [name, sort] of Object.entries(ORDERS)) {
      const q = { viewer, sort, limit: 25, columns: [{ column: 'os_hidden', op: 'eq', value: false }] };
      const order = sort.map((s) => `images.${s.key} ${s.dir}`).join(', ');
      const visible = "images.deleted = 0 AND images.os_hidden = 0 AND (images.owner = 'p1' OR images.visibility = 'public')";
      const count = Number((await db.driver.query(`SELECT COUNT(*) AS n FROM images WHERE ${visible}`))[0].n);
      const at = async (offset) => (await db.driver.query(`SELECT images.id FROM images WHERE ${visible} ORDER BY ${order} LIMIT 1 OFFSET ${offset}`))[0].id;
      const [early, late] = [await at(100), await at(count - 100)];
      const a = await median(() => db.images.list({ ...q, marker: early }));
      const b = await median(() => db.images.list({ ...q, marker: late }));
      const whole = await median(() => db.driver.query(`SELECT images.id FROM images WHERE ${visible} ORDER BY ${order}`));
      console.log(`${name.padEnd(26)} | ${a.toFixed(0).padStart(20)} | ${b.toFixed(0).padStart(23)} | ${(b / a).toFixed(2).padStart(5)} | ${whole.toFixed(0)}`);
    }
  } finally {
    await db.close();
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'gi-bench-list-'));
try {
  await run('SQLite', `sqlite://${path.join(dir, 'glance.sqlite')}`);
  if (process.env.BENCH_PG_URL) {
    const schema = `gi_bench_${randomBytes(4).toString('hex')}`;
    const admin = await openDatabase(process.env.BENCH_PG_URL, { schema: 'none' });
    await admin.driver.execute(`CREATE SCHEMA ${schema}`);
    try {
      const sep = process.env.BENCH_PG_URL.includes('?') ? '&' : '?';
      await run('PostgreSQL', `${process.env.BENCH_PG_URL}${sep}options=${encodeURIComponent(`-c search_path=${schema}`)}`);
    } finally {
      await admin.driver.execute(`DROP SCHEMA ${schema} CASCADE`);
      await admin.close();
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
