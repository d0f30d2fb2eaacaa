import { alwaysRevert, decompresses, FILE_PATH, linearFlow, type Flow, type FlowItem, type ImportContext, type ResolvedPlugin } from '@glance-import/core';
import type { TaskDeps } from './deps.js';
import { inspect } from './inspect.js';
import { importToStores } from './store-write.js';
import { completeTask, deleteFromStaging, imageLock, verifyStaging } from './tasks.js';

/**
 * The import flow, in Glance's order: lock; method tasks that fill staging; verify staging; the
 * inspector; each plugin in `image_import_plugins` order (when the method runs plugins), with the
 * inspector again after each plugin that rewrites the data; the store write; staging cleanup;
 * completion. Completion comes last, as in Glance: once the task reads success and the lock is
 * free, the next import (a copy-image staging the same image) must not find this one still
 * cleaning up. `stagingBytesLimit`: what the project's staging quota still allows, for plugins.
 */
/** The plugin whose getFlow() made each plugin flow, for the task's plan of steps. */
const pluginFlows = new WeakMap<FlowItem, string>();

/**
 * Every task of an import flow in the order it runs, each plugin's tasks named with the plugin
 * (the task's `progress.plan`: a client can show the steps to come, plugins in config order).
 */
export function importPlan(flow: Flow): Array<{ phase: string; plugin?: string }> {
  const out: Array<{ phase: string; plugin?: string }> = [];
  const walk = (item: FlowItem, plugin: string | undefined): void => {
    const owner = pluginFlows.get(item) ?? plugin;
    if (item.kind === 'task') out.push({ phase: item.name, ...(owner ? { plugin: owner } : {}) });
    else for (const child of item.items) walk(child, owner);
  };
  walk(flow, undefined);
  return out;
}

export async function buildImportFlow(d: TaskDeps, configured: readonly ResolvedPlugin[], o: { stagingBytesLimit?: number } = {}): Promise<Flow> {
  const { job, settings } = d;
  const plugins = job.method.runsPlugins ? configured : [];
  // Compressed data may pass an inspection only when a plugin still to come decompresses it.
  const decompressAfter = (i: number) => plugins.slice(i).some(decompresses);
  const flow = linearFlow('api_image_import', { retry: alwaysRevert() }, imageLock(d));
  flow.add(...job.method.tasks(d));
  flow.add(verifyStaging(d));
  if (job.method.runsPlugins) flow.add(inspect(d, 'staged', decompressAfter(0)));
  const ctx: Omit<ImportContext, 'options'> = {
    taskId: job.taskId,
    taskType: 'api_image_import',
    imageId: job.imageId,
    importRequest: job.request,
    image: d.image,
    stagingDir: d.staging.dir,
    stores: job.stores,
    identity: { userId: job.caller.userId, projectId: job.caller.projectId, roles: job.caller.roles, isAdmin: job.caller.isAdmin },
    logger: d.log,
    signal: d.signal,
    progress: d.progress,
    imageFormat: settings.imageFormat,
    imageSizeCap: settings.imageSizeCap,
    hashAlgo: settings.hashAlgo,
    ...(o.stagingBytesLimit === undefined ? {} : { stagingBytesLimit: o.stagingBytesLimit }),
  };
  for (const [i, plugin] of plugins.entries()) {
    const pluginFlow = await plugin.getFlow({ ...ctx, logger: d.log.child({ plugin: plugin.name }) });
    pluginFlows.set(pluginFlow, plugin.name);
    flow.add(pluginFlow);
    // Whatever a plugin says of itself, a new file_path is new data: inspect it again.
    if (plugin.meta.changesData || providesFilePath(pluginFlow)) flow.add(inspect(d, plugin.name, decompressAfter(i + 1)));
  }
  return flow.add(importToStores(d), deleteFromStaging(d), completeTask(d));
}

function providesFilePath(item: FlowItem): boolean {
  return item.kind === 'task' ? item.provides.includes(FILE_PATH) : item.items.some(providesFilePath);
}
