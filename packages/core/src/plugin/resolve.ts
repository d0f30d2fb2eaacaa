import type { GlanceConfig } from '../config/load.js';
import { giError, isGlanceImportError, reasonOf, type GlanceImportError } from '../errors.js';
import { isFlow, type Flow } from '../flow/flows.js';
import type { EntryPoint, EntryPointRegistry } from '../registry/registry.js';
import { attributeFailures } from './attribute.js';
import { checkChain } from './chain.js';
import type { ImportContext } from './context.js';
import { IMPORT_PLUGINS_NAMESPACE, pluginMeta, type PluginMeta } from './define.js';

export interface ResolvedPlugin {
  readonly name: string;
  readonly entryPoint: EntryPoint;
  /** Config group the options came from. */
  readonly group: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly meta: PluginMeta;
  /**
   * Build this plugin's flow for one import; a throw or a non-flow becomes GI_REGISTRY_FACTORY_FAILED.
   * Its tasks' uncoded errors become GI_PLUGIN_FAILED, naming the plugin.
   */
  getFlow(ctx: Omit<ImportContext, 'options'>): Promise<Flow>;
}

export interface ResolvedPlugins {
  plugins: ResolvedPlugin[];
  /** What was skipped in warn mode; never dropped silently. */
  warnings: GlanceImportError<string>[];
}

/**
 * Turn `[image_import_opts] image_import_plugins` into loaded plugins with validated options, in
 * config order, and check that the chain can work. Fails on the first problem unless
 * `[glance_import] plugin_load_errors = warn`.
 */
export async function resolveImportPlugins(registry: EntryPointRegistry, config: GlanceConfig): Promise<ResolvedPlugins> {
  const mode = config.values.glance_import.plugin_load_errors === 'warn' ? 'warn' : 'fail';
  const warnings: GlanceImportError<string>[] = [];
  const skip = (name: string, e: unknown) => {
    if (mode !== 'warn' || !isGlanceImportError(e)) throw e;
    warnings.push(giError('GI_REGISTRY_SKIPPED', { name, reason: `${e.code}: ${e.message}` }, { cause: e }));
  };
  const names = config.values.image_import_opts.image_import_plugins;
  const loaded = await registry.loadNamed(IMPORT_PLUGINS_NAMESPACE, names, { onError: mode, onWarning: (w) => warnings.push(w) });
  const plugins: ResolvedPlugin[] = [];
  for (const ext of loaded) {
    const fn = ext.value as (ctx: ImportContext) => Flow | Promise<Flow>;
    const meta = pluginMeta(fn);
    const group = meta.group ?? ext.name;
    try {
      const options = config.group(group, meta.options ?? {}, ext.name) as Record<string, unknown>;
      plugins.push({
        name: ext.name,
        entryPoint: ext.entryPoint,
        group,
        options,
        meta,
        async getFlow(ctx) {
          let flow: unknown;
          try {
            flow = await fn({ ...ctx, options });
          } catch (e) {
            throw giError('GI_REGISTRY_FACTORY_FAILED', { name: ext.name, package: ext.entryPoint.packageName, reason: reasonOf(e) }, { cause: e });
          }
          if (!isFlow(flow))
            throw giError('GI_REGISTRY_FACTORY_FAILED', { name: ext.name, package: ext.entryPoint.packageName, reason: 'getFlow() did not return a flow' });
          return attributeFailures(flow, { name: ext.name, package: ext.entryPoint.packageName });
        },
      });
    } catch (e) {
      skip(ext.name, e);
    }
  }
  config.checkGroups(plugins.map((p) => p.group));
  const g = config.values.glance_import;
  const problem = checkChain(
    { formats: g.input_formats.length ? g.input_formats : '*', compressed: g.input_compressed },
    plugins.map((p) => ({ name: p.name, meta: p.meta, options: p.options as Record<string, unknown> })),
  );
  if (problem) {
    if (mode === 'fail') throw problem;
    warnings.push(problem);
  }
  return { plugins, warnings };
}
