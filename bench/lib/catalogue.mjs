// A large catalogue written straight into the data dir's database before `serve` starts (creating
// 100,000 images through the API would take longer than the rest of the run).
import { mkdirSync } from 'node:fs';
import { defaultDatabaseUrl, openDatabase } from '@glance-import/db';

export async function fillCatalogue(dataDir, n) {
  mkdirSync(dataDir, { recursive: true });
  const db = await openDatabase(defaultDatabaseUrl(dataDir));
  try {
    // UUID-shaped ids in no particular order, creation times one second apart, owned by p1 and others.
    await db.driver.execute(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})
      INSERT INTO images (id, name, status, visibility, owner, disk_format, container_format, size, min_disk, min_ram, protected, os_hidden, created_at, updated_at, deleted)
      SELECT printf('%08x-0000-4000-8000-%012x', (i * 7919) % 4294967291, i), 'name-' || ((i * 104729) % 5000), 'active',
        CASE WHEN i % 3 = 0 THEN 'private' ELSE 'public' END, 'p' || (i % 20), 'raw', 'bare', i, 0, 0, 0, 0,
        strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01', '+' || i || ' seconds'), strftime('%Y-%m-%dT%H:%M:%fZ', '2020-01-01', '+' || i || ' seconds'), 0 FROM n`);
    await db.driver.execute('ANALYZE');
  } finally {
    await db.close();
  }
}

/** The ids after which a page starts at each position of the default order (created_at desc, id desc). */
export async function markersAt(dataDir, positions) {
  const db = await openDatabase(defaultDatabaseUrl(dataDir));
  try {
    const at = async (k) =>
      (await db.driver.query(`SELECT id FROM images WHERE deleted = 0 AND os_hidden = 0 ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ${k}`))[0].id;
    return Promise.all(positions.map(at));
  } finally {
    await db.close();
  }
}
