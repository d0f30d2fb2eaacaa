import { alwaysRevert, FILE_PATH, linearFlow, type Flow, type FlowItem, type ImportContext } from '@glance-import/core';
import { methodFor } from '../methods/method.js';
import { decompresses } from './settings.js';
import { completeTask, deleteFromStaging, imageLock, importToStores, inspect, verifyStaging, type TaskDeps } from './tasks.js';

/**
 * The import flow, in Glance's order: lock; method tasks that fill staging; verify staging; the
 * inspector; each plugin in `image_import_plugins` order (none for copy-image), with the inspector
 * again after each plugin that rewrites the data; the store write; staging cleanup; completion.
 * Completion comes last, as in Glance: once the task reads success and the lock is free, the next
 * import (a copy-image staging the same image) must not find this one still cleaning up.
 */
async function stagingLimit(d: TaskDeps): Promise<{ stagingBytesLimit?: number }> {
  const remaining = await d.rt.quotas.remainingBytes(d.job.caller.projectId, 'image_stage_total');
  return remaining === undefined ? {} : { stagingBytesLimit: remaining };
}

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

export async function buildImportFlow(d: TaskDeps): Promise<Flow> {
  const { rt, job } = d;
  const copy = job.request.method.name === 'copy-image';
  const plugins = copy ? [] : rt.plugins;
  // Compressed data may pass an inspection only when a plugin still to come decompresses it.
  const decompressAfter = (i: number) => plugins.slice(i).some(decompresses);
  const flow = linearFlow('api_image_import', { retry: alwaysRevert() }, imageLock(d));
  flow.add(...(methodFor(job.request.method.name)?.tasks(d) ?? []));
  flow.add(verifyStaging(d));
  // copy-image moves data that was inspected when it first arrived; it runs no plugins either.
  if (!copy) flow.add(inspect(d, 'staged', decompressAfter(0)));
  const ctx: Omit<ImportContext, 'options'> = {
    taskId: job.task.id, taskType: 'api_image_import', imageId: job.imageId, importRequest: job.request, image: d.image,
    stagingDir: rt.staging.dir, stores: job.stores,
    identity: { userId: job.caller.userId, projectId: job.caller.projectId, roles: job.caller.roles, isAdmin: job.caller.isAdmin },
    logger: d.log, signal: d.signal, progress: d.progress,
    imageFormat: {
      vmdkAllowedTypes: rt.config.values.image_format.vmdk_allowed_types,
      requireFormatMatch: rt.config.values.image_format.require_image_format_match,
      gptSafetyChecksNonfatal: rt.config.values.image_format.gpt_safety_checks_nonfatal,
    },
    imageSizeCap: rt.config.values.DEFAULT.image_size_cap,
    ...await stagingLimit(d),
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
