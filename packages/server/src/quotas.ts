import { isGlanceImportError } from '@glance-import/core';
import { giError } from './errors.js';
import type { Database } from '@glance-import/db';
import type { ServerConfig } from './options.js';

export type QuotaName = 'image_size_total' | 'image_stage_total' | 'image_count_total' | 'image_count_uploading';
const MiB = 1024 * 1024;
const SIZES = new Set<QuotaName>(['image_size_total', 'image_stage_total']);
const toMiB = (bytes: number) => Math.ceil(bytes / MiB);

/**
 * Glance's per-project limits (keystone unified limits in Glance; `[glance_import_limits]` here),
 * enforced when `[DEFAULT] use_keystone_limits` is true. Sizes are in MiB, as Glance counts them.
 */
export class Quotas {
  constructor(private readonly rt: { config: ServerConfig; db: Database }) {}

  get enabled(): boolean {
    return this.rt.config.values.DEFAULT.use_keystone_limits;
  }

  limit(name: QuotaName): number {
    return this.enabled ? this.rt.config.values.glance_import_limits[name] : -1;
  }

  /** Current usage of every limit (MiB for sizes), as `/v2/info/usage` shows it. */
  async usage(project: string): Promise<Record<QuotaName, number>> {
    const u = await this.rt.db.images.usage(project);
    return { image_size_total: toMiB(u.storedBytes), image_stage_total: toMiB(u.stagedBytes), image_count_total: u.count, image_count_uploading: u.uploading };
  }

  /** 413 when usage plus `delta` (bytes for sizes, a count otherwise) would pass the limit. */
  async enforce(project: string, name: QuotaName, delta: number): Promise<void> {
    const limit = this.limit(name);
    if (limit < 0) return;
    const usage = (await this.usage(project))[name];
    const d = SIZES.has(name) ? toMiB(delta) : delta;
    // Glance refuses when already at the limit, even with a zero delta.
    if (usage + d > limit || (d === 0 && usage >= limit)) throw giError('GI_QUOTA_EXCEEDED', { resource: name, limit, usage, delta: d });
  }

  /** Bytes still allowed under a size limit; undefined when unlimited (a streaming cap for writes). */
  async remainingBytes(project: string, name: 'image_size_total' | 'image_stage_total'): Promise<number | undefined> {
    const limit = this.limit(name);
    if (limit < 0) return undefined;
    const u = await this.rt.db.images.usage(project);
    return Math.max(0, limit * MiB - (name === 'image_size_total' ? u.storedBytes : u.stagedBytes));
  }

  /** Run a streaming write capped by a quota; passing the cap is a quota error that names the limit. */
  async capped<T>(project: string, name: 'image_size_total' | 'image_stage_total', cap: number, write: (maxBytes: number) => Promise<T>): Promise<T> {
    const remaining = await this.remainingBytes(project, name);
    const maxBytes = remaining === undefined ? cap : Math.min(cap, remaining);
    try {
      return await write(maxBytes);
    } catch (e) {
      if (remaining !== undefined && remaining < cap && isGlanceImportError(e, 'GI_STORE_TOO_LARGE')) {
        const usage = (await this.usage(project))[name];
        throw giError('GI_QUOTA_EXCEEDED', { resource: name, limit: this.limit(name), usage, delta: toMiB(remaining + 1) }, { cause: e });
      }
      throw e;
    }
  }
}
