import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { giError } from './errors.js';

/** The file in the data dir keeping a node's generated id across restarts. */
export const NODE_ID_FILE = 'node-id';

/**
 * This node's stable id, recorded on every import task it runs: `[DEFAULT] worker_self_reference_url`
 * when set (the name other nodes know it by), else an id generated once and kept in the data dir.
 * Start-up recovery touches only the tasks recorded with this id, so it must not change on restart.
 */
export function nodeId(selfUrl: string | undefined, dataDir: string): string {
  if (selfUrl) return selfUrl;
  const file = path.join(dataDir, NODE_ID_FILE);
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept) return kept;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw giError('GI_SERVER_NODE_ID', { file, reason: (e as Error).message }, { cause: e });
  }
  const id = `node-${randomUUID()}`;
  try {
    // `wx`: two processes started on one data dir at once keep the first id, not one each.
    writeFileSync(file, `${id}\n`, { flag: 'wx' });
    return id;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw giError('GI_SERVER_NODE_ID', { file, reason: (e as Error).message }, { cause: e });
  }
}
