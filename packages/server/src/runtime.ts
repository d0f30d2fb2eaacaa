import type { GlanceConfig, ResolvedPlugin } from '@glance-import/core';
import type { Database, ImageRecord } from '@glance-import/db';
import type { PolicyEnforcer } from '@glance-import/policy';
import type { StagingArea } from '@glance-import/store';
import type { Logger } from 'pino';
import type { ImportExecutor } from './import/executor.js';
import type { Metrics } from './metrics.js';
import type { StoreSet } from './stores.js';
import type { Formats } from './images/validate.js';
import type { Quotas } from './quotas.js';

/** Everything a route or an import needs, built once by createServer. */
export interface Runtime {
  readonly config: GlanceConfig;
  readonly dataDir: string;
  readonly db: Database;
  readonly staging: StagingArea;
  readonly stores: StoreSet;
  readonly policy: PolicyEnforcer;
  readonly plugins: readonly ResolvedPlugin[];
  readonly executor: ImportExecutor;
  readonly metrics: Metrics;
  readonly quotas: Quotas;
  readonly log: Logger;
  readonly formats: Formats;
  /** URL other nodes reach this one at (`worker_self_reference_url`, else `public_endpoint`). */
  readonly selfUrl: string | undefined;
  view(image: ImageRecord): Record<string, unknown>;
}
