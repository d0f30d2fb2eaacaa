import { EntryPointRegistry, IMPORT_PLUGINS_NAMESPACE } from '@glance-import/core';

/** A registry holding exactly the given import plugins, by entry-point name; no discovery. */
export function registryFromPlugins(plugins: Record<string, unknown>): EntryPointRegistry {
  return EntryPointRegistry.fromExtensions(IMPORT_PLUGINS_NAMESPACE, plugins);
}
