import { def, defineErrors, quoteList as list, didYouMean } from '@glance-import/errors';

export { GlanceImportError, isGlanceImportError, reasonOf, type GlanceImportErrorJSON } from '@glance-import/errors';

/**
 * Core's error codes: flows and the engine, the entry-point registry, import plugins, configuration.
 * Codes are never reused or renumbered: scripts and operators match on them.
 */
export const coreErrors = defineErrors(['GI_FLOW_', 'GI_REGISTRY_', 'GI_PLUGIN_', 'GI_CONFIG_'], {
  GI_FLOW_INVALID: def<{ flow: string; reason: string }>({
    message: (p) => `Flow '${p.flow}' is not valid: ${p.reason}.`,
    hint: 'Fix the flow definition returned by the plugin or caller that built it.',
  }),
  GI_FLOW_DUPLICATE_ATOM: def<{ name: string }>({
    message: (p) => `Two atoms in one flow are named '${p.name}'.`,
    hint: 'Atom names identify persisted state; give every task in a flow a distinct name.',
  }),
  GI_FLOW_CYCLE: def<{ flow: string; cycle: string[] }>({
    message: (p) => `Graph flow '${p.flow}' has a dependency cycle: ${p.cycle.join(' -> ')}.`,
    hint: 'A graph flow orders tasks by what they require and provide; break the cycle by renaming or removing one requirement.',
  }),
  GI_FLOW_MISSING_INPUT: def<{ atom: string; input: string; detail?: string }>({
    message: (p) => `Task '${p.atom}' requires '${p.input}', which nothing provides before it${p.detail ? ` (${p.detail})` : ''}.`,
    hint: 'Provide the value as an engine input, or add a task ordered before it that provides it.',
  }),
  GI_FLOW_FAILED: def<{ flow: string; atom: string; reason: string }>({
    status: 500,
    message: (p) => `Flow '${p.flow}' failed in task '${p.atom}': ${p.reason}`,
    hint: 'See `failures` for the original error and any revert failures.',
  }),
  GI_FLOW_CANCELLED: def<{ flow: string; reason?: string }>({
    message: (p) => `Flow '${p.flow}' was cancelled${p.reason ? `: ${p.reason}` : ''}.`,
    hint: 'The flow was aborted through its signal; what had run was reverted.',
  }),
  GI_FLOW_RESULT_SHAPE: def<{ atom: string; missing: string[] }>({
    message: (p) => `Task '${p.atom}' declares provides ${list(p.missing)} but its result has no such key.`,
    hint: 'A task that provides several names must return an object with one key per name.',
  }),
  GI_REGISTRY_NOT_FOUND: def<{ namespace: string; name: string; suggestions?: string[]; available: string[] }>({
    message: (p) => `No entry point '${p.name}' in namespace '${p.namespace}'.${didYouMean(p.suggestions)}`,
    hint: (p) =>
      p.available.length
        ? `Installed names: ${list(p.available)}. Install the package that provides '${p.name}' (npm install it in the host app) or fix the name.`
        : `No package declares entry points in '${p.namespace}'. Install a plugin package and list it in the host's package.json dependencies.`,
  }),
  GI_REGISTRY_DUPLICATE_CLAIM: def<{ namespace: string; name: string; packages: string[] }>({
    message: (p) => `Entry point '${p.name}' in '${p.namespace}' is claimed by several packages: ${list(p.packages)}.`,
    hint: 'Uninstall all but one of these packages; an entry-point name must be unique.',
  }),
  GI_REGISTRY_DUPLICATE_NAME: def<{ namespace: string; name: string }>({
    message: (p) => `'${p.name}' is listed more than once for '${p.namespace}'.`,
    hint: 'Each plugin runs once; remove the repeated name from the list.',
  }),
  GI_REGISTRY_BAD_METADATA: def<{ package: string; reason: string }>({
    message: (p) => `Package '${p.package}' declares invalid entry points: ${p.reason}.`,
    hint: 'Entry points are `"entryPoints": { "<namespace>": { "<name>": "<module path>[:<export>]" } }` in package.json.',
  }),
  GI_REGISTRY_IMPORT_FAILED: def<{ name: string; package: string; module: string; reason: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) could not be imported from '${p.module}': ${p.reason}`,
    hint: 'Is the package built and installed completely? The cause is attached.',
  }),
  GI_REGISTRY_EXPORT_INVALID: def<{ name: string; package: string; export: string; found: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) names export '${p.export}', which is ${p.found}; a function was expected.`,
    hint: 'Point the entry point at an exported function, e.g. "./dist/index.js:getFlow".',
  }),
  GI_REGISTRY_INCOMPATIBLE: def<{ name: string; package: string; packageVersion: string; host: string; range: string; version: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}@${p.packageVersion}) requires ${p.host} ${p.range}, but ${p.version} is running.`,
    hint: (p) => `Install a version of ${p.package} built for ${p.host} ${p.version}, or a ${p.host} that satisfies ${p.range}.`,
  }),
  GI_REGISTRY_NO_CORE_RANGE: def<{ name: string; package: string; host: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) does not say which ${p.host} it works with.`,
    hint: (p) => `The plugin's package.json must list ${p.host} in peerDependencies with a semver range.`,
  }),
  GI_REGISTRY_FACTORY_FAILED: def<{ name: string; package: string; reason: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) failed while building its flow: ${p.reason}`,
    hint: 'The plugin threw from getFlow(); the cause is attached.',
  }),
  GI_REGISTRY_HOST_NOT_FOUND: def<{ root: string }>({
    message: (p) => `No package.json found at or above '${p.root}'.`,
    hint: 'Run the command inside the host application (the folder whose package.json lists the plugins), or pass --root.',
  }),
  GI_REGISTRY_SKIPPED: def<{ name: string; reason: string }>({
    message: (p) => `Entry point '${p.name}' was skipped: ${p.reason}`,
    hint: 'The operator chose to warn and skip (plugin_load_errors = warn); fix the cause or remove the name.',
  }),
  GI_PLUGIN_INVALID_OPTIONS: def<{ plugin: string; group: string; problems: string[] }>({
    message: (p) => `Options of plugin '${p.plugin}' in [${p.group}] are invalid: ${p.problems.join('; ')}.`,
    hint: 'Fix the value in the config file (the message says what the option accepts), then run `glance-import config check` again: it stops at the first problem.',
  }),
  GI_PLUGIN_CHAIN_INCOMPATIBLE: def<{ plugin: string; position: number; reason: string; fix?: string }>({
    message: (p) => `Plugin '${p.plugin}' (position ${p.position} in image_import_plugins) cannot work here: ${p.reason}.`,
    hint: (p) => p.fix ?? 'Reorder [image_import_plugins] image_import_plugins so each plugin receives data it accepts.',
  }),
  GI_PLUGIN_FAILED: def<{ plugin: string; package: string; reason: string }>({
    message: (p) => `Plugin '${p.plugin}' failed: ${p.reason}`,
    hint: (p) =>
      `${p.package} threw an error without a GI_* code; the cause is attached and the import log has it under plugin '${p.plugin}'. See the plugin's README, or report it to its authors.`,
  }),
  GI_PLUGIN_BAD_IMAGE_CHANGE: def<{ change: string; reason: string }>({
    message: (p) => `An import task may not ${p.change}: ${p.reason}.`,
    hint: 'Import tasks set status, disk_format, container_format, size and virtual_size (numbers: whole, not negative), and extra properties named in up to 255 characters outside os_glance*, with string values of up to 65535 characters: write String(value).',
  }),
  GI_CONFIG_PARSE: def<{ file: string; line: number; reason: string }>({
    message: (p) => `${p.file}:${p.line}: ${p.reason}.`,
    hint: 'Config files use oslo.config INI syntax: [group] headers and `name = value` lines.',
  }),
  GI_CONFIG_LOAD_FAILED: def<{ file: string; reason: string }>({
    message: (p) => `Config file '${p.file}' could not be loaded: ${p.reason}`,
    hint: 'cosmiconfig files (module name glance-import) hold { "<group>": { "<option>": value } } as JSON, YAML or a module\'s default export; a .ts file needs the typescript package installed in the host app.',
  }),
  GI_CONFIG_FILE_NOT_FOUND: def<{ file: string }>({
    message: (p) => `Config file '${p.file}' does not exist or cannot be read.`,
    hint: 'Check the path given to --config-file.',
  }),
  GI_CONFIG_UNKNOWN_GROUP: def<{ file: string; group: string; suggestions?: string[] }>({
    message: (p) => `${p.file}: unknown group [${p.group}].${didYouMean(p.suggestions)}`,
    hint: 'Groups are those of glance-api.conf / glance-image-import.conf, one per store in enabled_backends, and one per configured plugin.',
  }),
  GI_CONFIG_UNKNOWN_OPTION: def<{ file: string; group: string; option: string; suggestions?: string[] }>({
    message: (p) => `${p.file}: unknown option '${p.option}' in [${p.group}].${didYouMean(p.suggestions)}`,
    hint: "Remove the option or fix its spelling; a plugin's group accepts the options in its README, core groups those of glance-api.conf.",
  }),
  GI_CONFIG_INVALID_VALUE: def<{ file: string; group: string; option: string; reason: string }>({
    message: (p) => `${p.file}: [${p.group}] ${p.option}: ${p.reason}.`,
    hint: 'Fix the value; the message says what the option accepts.',
  }),
});

/** Builds one of this package's errors: `giError('GI_FLOW_INVALID', { ... })`. */
export const giError = coreErrors.error;
