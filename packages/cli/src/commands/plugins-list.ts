import { EntryPointRegistry, findHostRoot, loadConfig } from '@glance-import/core';
import { serverSchema } from '@glance-import/server';
import { configOptions, jsonOption, type Command } from '../command.js';
import { EXIT, reportError, type Io } from '../io.js';
import { table } from '../table.js';

export interface PluginsListArgs {
  'config-file'?: string[];
  root?: string;
  namespace?: string;
  json?: boolean;
}

/** Every entry point the host declares, with whether it can be used; loads no plugin code. */
export async function pluginsList(args: PluginsListArgs, io: Io): Promise<number> {
  const root = findHostRoot(args.root ?? process.cwd());
  const config = await loadConfig({ configFiles: args['config-file'], searchFrom: root, schema: serverSchema });
  const registry = EntryPointRegistry.discover({ root, dirs: config.values.glance_import.plugin_dirs });
  const rows = registry.list(args.namespace).map((s) => ({
    namespace: s.entryPoint.namespace,
    name: s.entryPoint.name,
    package: s.entryPoint.packageName,
    version: s.entryPoint.packageVersion,
    compatible: s.compatible,
    error: s.problem ? `${s.problem.code}: ${s.problem.message}` : '',
  }));
  const metadata = registry.metadataErrors.map((e) => `${e.code}: ${e.message}`);
  if (args.json) {
    io.out(JSON.stringify({ root, entryPoints: rows, metadataErrors: metadata }, null, 2));
  } else if (rows.length === 0) {
    io.out(`No entry points found for the host at ${root}.`);
  } else {
    io.out(
      table(
        [
          ['NAMESPACE', 'NAME', 'PACKAGE', 'VERSION', 'COMPATIBLE', 'ERROR'],
          ...rows.map((r) => [r.namespace, r.name, r.package, r.version, r.compatible ? 'yes' : 'no', r.error]),
        ],
        { columns: io.columns, keep: [1] },
      ),
    );
  }
  for (const e of registry.metadataErrors) reportError(io, e);
  return metadata.length ? EXIT.failed : EXIT.ok;
}

export const pluginsListCommand: Command = {
  name: 'plugins list',
  summary: 'List entry points (namespace, name, package, version, compatibility, load error)',
  description: 'Reads the package.json of each package the host declares; imports no plugin code.',
  options: {
    ...configOptions,
    namespace: { type: 'string', value: 'NS', help: 'only this namespace', complete: ['glance.image_import.plugins', 'glance.store.drivers'] },
    ...jsonOption,
  },
  run: (v, _p, io) => pluginsList(v as PluginsListArgs, io),
};
