import type { Flow } from '../flow/flows.js';
import type { GroupSchema, GroupValues } from '../config/types.js';
import type { ImportContext } from './context.js';

export const IMPORT_PLUGINS_NAMESPACE = 'glance.image_import.plugins';

/** The shape of data between plugins: its disk formats (or any) and whether it may be compressed. */
export interface DataShape {
  formats: readonly string[] | '*';
  compressed: boolean;
}

/**
 * What a plugin takes and gives, checked when the config is loaded. A decompressor says so here and
 * nowhere else: `accepts: { compressed: true }` and `produces: () => ({ compressed: false })` (see `decompresses`).
 */
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
  /**
   * Whether, with these options, the plugin will certainly replace every byte staged for an image
   * declared with `disk_format` (a converter to another format). Staging then does not hash the
   * upload: those digests would be thrown away, and the import hashes what the plugins produce.
   * Omitted, or when only the data can tell (a decompressor), staging hashes.
   */
  replacesData?: (diskFormat: string, options: GroupValues<G>) => boolean;
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

/**
 * Whether a plugin, with these options, decompresses: its contract explicitly takes compressed data and
 * gives uncompressed data. The one definition: the chain check finds the decompressor to move by it,
 * and the server lets compressed data be staged only when a configured plugin answers yes.
 */
export function decompresses(plugin: { meta: PluginMeta; options: Record<string, unknown> }): boolean {
  const formats = plugin.meta.formats;
  return formats?.accepts?.compressed === true && formats.produces?.(plugin.options).compressed === false;
}

/** Whether a configured plugin will replace the staged data of an image of `diskFormat` (see `replacesData`). */
export function replacesStagedData(
  plugins: ReadonlyArray<{ meta: PluginMeta; options: Record<string, unknown> }>,
  diskFormat: string | null | undefined,
): boolean {
  return diskFormat ? plugins.some((p) => p.meta.replacesData?.(diskFormat, p.options) === true) : false;
}

export function pluginMeta(value: unknown): PluginMeta {
  const meta = (value as { meta?: unknown }).meta;
  return typeof meta === 'object' && meta !== null ? (meta as PluginMeta) : {};
}
