// The public surface of @glance-import/core: nothing else is imported from outside the package.
export { coreErrors, GlanceImportError, isGlanceImportError, reasonOf, type GlanceImportErrorJSON } from './errors.js';
// A plugin needs only core as a peer, so core passes on the whole error mechanism.
export {
  suggest,
  editDistance,
  didYouMean,
  quoteList,
  defineErrors,
  def,
  type Errors,
  type ErrorDefinition,
  type ErrorTable,
  type ErrorParams,
  type ParamsOf,
} from '@glance-import/errors';
export { coreVersion, CORE_PACKAGE } from './version.js';
export { silentLogger, memoryLogger, contextLogger, type Logger, type LogFn, type LogRecord } from './logger.js';

export { defineTask, type Task, type TaskSpec, type Inputs, type Outcome, type RevertOutcome, type AtomFailure, type AtomContext } from './flow/task.js';
export { linearFlow, unorderedFlow, graphFlow, isFlow, type Flow, type FlowItem, type FlowOptions, type FlowPattern } from './flow/flows.js';
export { alwaysRevert, alwaysRevertAll, times, type RetryController, type RetryDecision, type RetryHistory } from './flow/retry.js';
export { compileFlow, type CompiledFlow, type CompiledAtom, type Binding } from './flow/compile.js';
export {
  Engine,
  runFlow,
  type EngineOptions,
  type EngineMode,
  type EngineListener,
  type AtomEvent,
  type FlowEvent,
  type FlowResult,
  type FlowError,
  type ResumePlan,
} from './flow/engine.js';
export {
  MemoryPersistence,
  serializeError,
  ATOM_STATES,
  FLOW_STATES,
  type FlowPersistence,
  type AtomRecord,
  type FlowRecord,
  type AtomState,
  type FlowState,
  type SerializedError,
} from './flow/persistence.js';
export { describeFlow } from './flow/describe.js';

export {
  EntryPointRegistry,
  DEFAULT_EXPORTS,
  type EntryPoint,
  type EntryPointStatus,
  type LoadedExtension,
  type LoadOptions,
  type OnLoadError,
  type DiscoverOptions,
  type HostPackage,
} from './registry/registry.js';
export { findHostRoot } from './registry/packages.js';

export {
  opts,
  option,
  string,
  secret,
  integer,
  boolean,
  list,
  dict,
  port,
  unquote,
  OptionValueError,
  type OptType,
  type OptSpec,
  type GroupSchema,
  type GroupValues,
} from './config/types.js';
export { parseIni, type IniEntry } from './config/ini.js';
export {
  coreSchema,
  storeGroupSchema,
  composeSchemas,
  type ConfigSchema,
  type ConfigValues,
  type CoreConfig,
  type CoreSchema,
  type StoreGroupConfig,
} from './config/schema.js';
export { loadConfig, GlanceConfig, CONFIG_MODULE_NAME, type LoadConfigOptions, type ConfigNotice } from './config/load.js';

export {
  definePlugin,
  pluginMeta,
  decompresses,
  replacesStagedData,
  IMPORT_PLUGINS_NAMESPACE,
  type ImportPlugin,
  type PluginSpec,
  type PluginMeta,
  type DataShape,
  type FormatContract,
} from './plugin/define.js';
export {
  FILE_PATH,
  noProgress,
  type ImportContext,
  type ImportRequest,
  type RequestIdentity,
  type ImageSnapshot,
  type ImageAccessor,
  type SettableAttribute,
  type ProgressReporter,
  type ProgressUpdate,
} from './plugin/context.js';
export { checkChain, type ChainLink } from './plugin/chain.js';
export { checkAttributes, checkExtraProperties, checkRemovedProperties, SETTABLE_ATTRIBUTES, RESERVED_PROPERTY_PREFIX } from './plugin/image-changes.js';
export { PropertyChanges } from './plugin/property-changes.js';
export { resolveImportPlugins, type ResolvedPlugin, type ResolvedPlugins } from './plugin/resolve.js';
