import { giError, type GlanceImportError } from '../errors.js';
import { decompresses, type DataShape, type PluginMeta } from './define.js';

export interface ChainLink {
  name: string;
  meta: PluginMeta;
  options: Record<string, unknown>;
}

/**
 * Follow the data's shape through the plugins in order and report the first plugin that would
 * receive data it cannot take (e.g. conversion before decompression when input may be compressed).
 * Input may be compressed when the config says so (`input_compressed`), and also when a decompressor
 * is configured at all: nobody lists one for data that never is.
 */
export function checkChain(input: DataShape, links: readonly ChainLink[]): GlanceImportError<'GI_PLUGIN_CHAIN_INCOMPATIBLE'> | undefined {
  const listed = links.find(decompresses);
  const declaredBy = input.compressed ? '[glance_import] input_compressed' : listed ? `'${listed.name}' is in image_import_plugins` : undefined;
  let shape: DataShape = { ...input, compressed: declaredBy !== undefined };
  for (const [i, link] of links.entries()) {
    const accepts = link.meta.formats?.accepts;
    const position = i + 1;
    if (shape.compressed && accepts?.compressed === false) {
      const decompressor = links.slice(i + 1).find(decompresses);
      return giError('GI_PLUGIN_CHAIN_INCOMPATIBLE', {
        plugin: link.name,
        position,
        reason: `it needs uncompressed data, but compressed input is declared (${declaredBy}) and nothing before it decompresses`,
        fix: decompressor
          ? `Move '${decompressor.name}' before '${link.name}' in image_import_plugins.`
          : `Add 'image_decompression' before '${link.name}' in image_import_plugins.`,
      });
    }
    if (accepts?.formats && shape.formats !== '*' && !shape.formats.some((f) => accepts.formats!.includes(f))) {
      return giError('GI_PLUGIN_CHAIN_INCOMPATIBLE', {
        plugin: link.name,
        position,
        reason: `it accepts ${accepts.formats.join(', ')}, but receives ${shape.formats.join(', ')}`,
      });
    }
    const produced = link.meta.formats?.produces?.(link.options) ?? {};
    shape = { formats: produced.formats ?? shape.formats, compressed: produced.compressed ?? shape.compressed };
  }
  return undefined;
}
