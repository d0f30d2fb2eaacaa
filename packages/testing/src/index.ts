// What a plugin author imports in their own tests.
export { runPlugin, type RunPluginOptions, type PluginRun } from './run-plugin.js';
export { MemoryImage, diffImage } from './memory-image.js';
export { registryFromPlugins } from './registry.js';
