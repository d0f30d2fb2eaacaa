import type { Flow } from '../flow/flows.js';
import type { GroupSchema, GroupValues } from '../config/types.js';
import type { ImportContext } from './context.js';

export const IMPORT_PLUGINS_NAMESPACE = 'glance.image_import.plugins';

/** The shape of data between plugins: its disk formats (or any) and whether it may be compressed. */
export interface DataShape {
  formats: readonly string[] | '*';
  compressed: boolean;
}

export interface FormatContract<O> {
  /** What the plugin can take. Omitted fields accept anything. */
  accepts?: { formats?: readonly string[]; compressed?: boolean };
  /** How the plugin changes the shape, given its options. */
  produces?: (options: O) => Partial<DataShape>;
}

export interface PluginSpec<G extends GroupSchema> {
  /** Config group of the plugin's options; default: the entry-point name. */
  group?: string;
  options?: G;
  formats?: FormatContract<GroupValues<G>>;
  /** Whether tasks of this plugin rewrite the data (the inspector runs again after them). */
  changesData?: boolean;
  description?: string;
  getFlow(ctx: ImportContext<GroupValues<G>>): Flow | Promise<Flow>;
}

export type PluginMeta = Omit<PluginSpec<GroupSchema>, 'getFlow'>;

/** A plugin entry point: callable as `getFlow(ctx)`, with its metadata attached. */
export type ImportPlugin<G extends GroupSchema = GroupSchema> = ((ctx: ImportContext<GroupValues<G>>) => Flow | Promise<Flow>) & {
  readonly meta: PluginMeta;
};

/**
 * Declare an import plugin. The result is the function an entry point names (`./dist/index.js:getFlow`);
 * a plain `getFlow` function works too, with no options and no format contract.
 */
export function definePlugin<G extends GroupSchema = Record<string, never>>(spec: PluginSpec<G>): ImportPlugin<G> {
  const { getFlow, ...meta } = spec;
  const fn = (ctx: ImportContext<GroupValues<G>>) => getFlow(ctx);
  return Object.assign(fn, { meta: meta as PluginMeta });
}

export function pluginMeta(value: unknown): PluginMeta {
  const meta = (value as { meta?: unknown }).meta;
  return typeof meta === 'object' && meta !== null ? (meta as PluginMeta) : {};
}
