import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger, type Flow, type ResolvedPlugin } from '@glance-import/core';
import { openDatabase } from '@glance-import/db';
import { StagingArea } from '@glance-import/store';
import { Metrics } from '../metrics.js';
import { glanceDirect, methodNamed } from '../methods/index.js';
import { systemResolver } from '../methods/uri-filter.js';
import { Quotas } from '../quotas.js';
import type { ImportImage } from './accessor.js';
import type { TaskDeps, TaskProgress } from './deps.js';
import { buildImportFlow } from './flow.js';
import { importSettings } from './settings.js';
import type { ServerConfig } from '../options.js';

const refuse = async (): Promise<never> => {
  throw new Error('getFlow() must not read or change the image; do that in a task');
};

/** getFlow() must only build tasks: the image refuses use, and progress goes nowhere. */
const untouchable: ImportImage = {
  load: refuse,
  get: refuse,
  setAttributes: refuse,
  setExtraProperties: refuse,
  removeExtraProperties: refuse,
  undoPropertyChanges: refuse,
};
const noProgress: TaskProgress = { report: () => {}, store: () => {}, written: async () => {} };

/**
 * The very flow an import would run with this config and these plugins, built without a server
 * (`glance-import config check` prints it) from the same parts the server gives an import: an
 * in-memory database, a scratch staging area, no store drivers (nothing runs).
 */
export async function describeImportFlow(config: ServerConfig, plugins: readonly ResolvedPlugin[], methodName = glanceDirect.name): Promise<Flow> {
  const method = methodNamed(methodName);
  if (!method) throw new RangeError(`unknown import method '${methodName}'`);
  const stores = config.storeIds.length ? [config.values.glance_store.default_backend ?? config.storeIds[0]!] : ['local'];
  const scratch = mkdtempSync(path.join(tmpdir(), 'gi-describe-'));
  const db = await openDatabase('sqlite://');
  try {
    const deps: TaskDeps = {
      db,
      staging: new StagingArea(scratch),
      stores: { multi: true, byId: new Map(), defaultId: stores[0]!, stagingDir: scratch },
      quotas: new Quotas({ config, db }),
      settings: importSettings(config),
      metrics: new Metrics(),
      resolve: systemResolver,
      job: {
        taskId: randomUUID(),
        imageId: '00000000-0000-0000-0000-000000000000',
        method,
        request: { method: { name: method.name } },
        stores,
        before: {
          status: method.requiredStatus,
          size: null,
          virtual_size: null,
          checksum: null,
          os_hash_algo: null,
          os_hash_value: null,
          disk_format: null,
          container_format: null,
        },
        caller: { userId: 'check', projectId: 'check', roles: [], isAdmin: false },
        requestId: 'config-check',
      },
      image: untouchable,
      progress: noProgress,
      log: silentLogger,
      signal: new AbortController().signal,
      inspections: [],
      reached: { section: 'method' },
    };
    return await buildImportFlow(deps, plugins);
  } finally {
    await db.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
