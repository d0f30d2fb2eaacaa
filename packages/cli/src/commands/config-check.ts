import { randomUUID } from 'node:crypto';
import {
  defineTask, describeFlow, EntryPointRegistry, findHostRoot, linearFlow, loadConfig, noProgress, resolveImportPlugins, silentLogger,
  type Flow, type ImageAccessor, type ResolvedPlugin,
} from '@glance-import/core';
import { EXIT, type Io } from '../io.js';

export interface ConfigCheckArgs {
  'config-file'?: string[];
  root?: string;
  json?: boolean;
}

/** getFlow() builds a flow; it must not touch the image yet, so a dry run hands it one that refuses. */
const refuse = async (): Promise<never> => { throw new Error('getFlow() must not read or change the image; do that in a task'); };
const dryImage: ImageAccessor = { get: refuse, setAttributes: refuse, setExtraProperties: refuse, removeExtraProperties: refuse };

const step = (name: string, provides?: string) => defineTask({ name, ...(provides ? { provides } : {}), execute: () => undefined });

/** The flow a glance-direct import would run with these plugins: lock, staging, plugins, store, completion. */
async function importFlow(plugins: readonly ResolvedPlugin[], stores: readonly string[]): Promise<Flow> {
  const taskId = randomUUID();
  const flow = linearFlow('api_image_import', {}, step('ImageLock'), step('VerifyStaging', 'file_path'));
  for (const p of plugins) {
    flow.add(await p.getFlow({
      taskId, taskType: 'api_image_import', imageId: '00000000-0000-0000-0000-000000000000', importRequest: { method: { name: 'glance-direct' } },
      image: dryImage, stagingDir: '/nonexistent', stores, identity: { userId: 'check', projectId: 'check', roles: [], isAdmin: false },
      logger: silentLogger, signal: new AbortController().signal, progress: noProgress,
      imageFormat: { vmdkAllowedTypes: [], requireFormatMatch: true, gptSafetyChecksNonfatal: [] }, imageSizeCap: 1,
    }));
  }
  for (const s of stores) flow.add(step(`ImportToStore-${s}`));
  return flow.add(step('DeleteFromStaging'), step('VerifyImageState'), step('CompleteTask'));
}

export async function configCheck(args: ConfigCheckArgs, io: Io): Promise<number> {
  const root = findHostRoot(args.root ?? process.cwd());
  const config = await loadConfig({ configFiles: args['config-file'], searchFrom: root });
  const registry = EntryPointRegistry.discover({ root, dirs: config.values.glance_import.plugin_dirs });
  const { plugins, warnings } = await resolveImportPlugins(registry, config);
  const stores = config.storeIds.length ? [config.values.glance_store.default_backend ?? config.storeIds[0]!] : ['default'];
  const flow = await importFlow(plugins, stores);
  const engine = config.values.taskflow_executor;
  if (args.json) {
    io.out(JSON.stringify({
      sources: config.sources, notices: config.notices, warnings: warnings.map((w) => w.toJSON()),
      plugins: plugins.map((p) => ({ name: p.name, package: p.entryPoint.packageName, version: p.entryPoint.packageVersion, group: p.group, options: p.options })),
      engine, flow: describeFlow(flow),
    }, null, 2));
  } else {
    io.out(`config: ${config.sources.length ? config.sources.join(', ') : '(defaults only)'}`);
    for (const n of config.notices) io.out(`notice: ${n.message}`);
    for (const w of warnings) io.err(`warning ${w.code}: ${w.message}`);
    io.out('import plugins, in order:');
    if (plugins.length === 0) io.out('  (none: [image_import_opts] image_import_plugins is empty)');
    plugins.forEach((p, i) => io.out(`  ${i + 1}. ${p.name}  ${p.entryPoint.packageName}@${p.entryPoint.packageVersion}  [${p.group}]`));
    io.out(`flow of a glance-direct import (engine_mode ${engine.engine_mode}, max_workers ${engine.max_workers}):`);
    for (const line of describeFlow(flow)) io.out(`  ${line}`);
    io.out('OK');
  }
  return EXIT.ok;
}
