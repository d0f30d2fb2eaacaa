import type { Logger, ProgressReporter } from '@glance-import/core';
import type { Database } from '@glance-import/db';
import type { StagingArea } from '@glance-import/store';
import type { Metrics } from '../metrics.js';
import type { Resolver } from '../methods/uri-filter.js';
import type { Quotas } from '../quotas.js';
import type { StoreSet } from '../stores.js';
import type { ImportImage } from './accessor.js';
import type { InspectionRecord } from './inspection.js';
import type { ImportJob } from './job.js';
import type { ImportSettings } from './settings.js';

/** The server's parts an import uses; the same for every import. */
export interface ImportParts {
  db: Database;
  staging: StagingArea;
  stores: StoreSet;
  quotas: Quotas;
  settings: ImportSettings;
  metrics: Metrics;
  /** How web sources' names are resolved (tests play DNS with it). */
  resolve: Resolver;
}

/** How a task reports progress: the plugins' reporter, per-store state, and waiting for the writes. */
export interface TaskProgress extends ProgressReporter {
  store(store: string, status: 'pending' | 'writing' | 'done' | 'failed', bytesDone?: number): void;
  written(): Promise<void>;
}

/** What the tasks of one import are built from. */
export interface TaskDeps extends ImportParts {
  job: ImportJob;
  image: ImportImage;
  progress: TaskProgress;
  log: Logger;
  signal: AbortSignal;
  /** Every inspection of this import, in order, the refused one included (the task's result shows them). */
  inspections: InspectionRecord[];
  /**
   * How far the import got; set by the tasks as they start (see `storesFailed`). `committed`: the
   * image went active with its data stored, and the import can only be completed.
   */
  reached: { section: 'method' | 'plugins' | 'stores' | 'committed' };
}

/**
 * Whether a failed import counts its target stores as failed (`os_glance_failed_import`): when its
 * method's own step failed (Glance's download revert does this) or the store write was reached, but
 * not when it stopped in the inspector or a plugin, before any store was written.
 */
export const storesFailed = (d: Pick<TaskDeps, 'job' | 'reached'>): boolean => d.job.method.failsAllStores && d.reached.section !== 'plugins';
