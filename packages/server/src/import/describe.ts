import { randomUUID } from 'node:crypto';
import { silentLogger, type Flow, type GlanceConfig, type ImageAccessor, type ResolvedPlugin } from '@glance-import/core';
import type { Runtime } from '../runtime.js';
import type { LockedImage } from './accessor.js';
import { buildImportFlow } from './flow.js';
import type { ImportProgress } from './progress.js';
import type { TaskDeps } from './tasks.js';

const refuse = async (): Promise<never> => { throw new Error('getFlow() must not read or change the image; do that in a task'); };

/**
 * The very flow an import would run with this config and these plugins, built without a server
 * (`glance-import config check` prints it). Nothing runs: plugins get an image that refuses use,
 * since getFlow() must only build tasks.
 */
export async function describeImportFlow(config: GlanceConfig, plugins: readonly ResolvedPlugin[], method = 'glance-direct'): Promise<Flow> {
  const stores = config.storeIds.length ? [config.values.glance_store.default_backend ?? config.storeIds[0]!] : ['local'];
  const rt = {
    config, plugins, staging: { dir: '/nonexistent' }, stores: { multi: true, byId: new Map(), defaultId: stores[0]! },
    quotas: { remainingBytes: async () => undefined },
  } as unknown as Runtime;
  const image: ImageAccessor = { get: refuse, setAttributes: refuse, setExtraProperties: refuse, removeExtraProperties: refuse };
  const deps: TaskDeps = {
    rt,
    job: {
      task: { id: randomUUID() } as TaskDeps['job']['task'], imageId: '00000000-0000-0000-0000-000000000000',
      request: { method: { name: method } }, stores, before: {} as TaskDeps['job']['before'],
      caller: { userId: 'check', projectId: 'check', roles: [], isAdmin: false }, requestId: 'config-check',
    },
    image: image as unknown as LockedImage, progress: { report: () => {} } as unknown as ImportProgress,
    log: silentLogger, signal: new AbortController().signal, inspections: [],
  };
  return buildImportFlow(deps);
}
