import { IMPORT_PLUGINS_NAMESPACE, isGlanceImportError, type EntryPointRegistry, type GlanceImportError, type ResolvedPlugin } from '@glance-import/core';

export interface Problem {
  code: string;
  message: string;
  hint: string;
}

export interface PluginRow {
  name: string;
  package: string | null;
  version: string | null;
  /** Whether its core range admits the running core; null when no package declares it. */
  compatible: boolean | null;
  /** Place in `image_import_plugins`, from 1; null when declared but not configured. */
  order: number | null;
  /** Loaded and run by imports. */
  loaded: boolean;
  /** Why it cannot be used (the load error itself, not the warning that it was skipped). */
  error: Problem | null;
}

/** GET /v2/info/plugins: what `glance-import plugins list` and `config check` show, as data. */
export interface PluginsReport {
  namespace: string;
  plugin_load_errors: 'fail' | 'warn';
  image_import_plugins: string[];
  /** The configured plugins in config order, then the declared ones not configured. */
  plugins: PluginRow[];
  /** Packages whose entry-point metadata is invalid. */
  metadata_errors: Problem[];
  /** Problems that are not one plugin's (the chain check in warn mode). */
  warnings: Problem[];
}

const problem = (e: GlanceImportError<string>): Problem => ({ code: e.code, message: e.message, hint: e.hint });

export interface PluginsReportInput {
  registry: EntryPointRegistry;
  configured: readonly string[];
  loadErrors: 'fail' | 'warn';
  plugins: readonly ResolvedPlugin[];
  /** What resolving the plugins warned about (skipped plugins carry their load error as the cause). */
  warnings: readonly GlanceImportError<string>[];
}

/** The import plugins as the server resolved them at start-up, for the operator console. */
export function pluginsReport(o: PluginsReportInput): PluginsReport {
  const declared = o.registry.list(IMPORT_PLUGINS_NAMESPACE);
  const skipped = new Map<string, Problem>();
  const other: Problem[] = [];
  for (const w of o.warnings) {
    const name = w.details.name;
    if (w.code === 'GI_REGISTRY_SKIPPED' && typeof name === 'string') skipped.set(name, problem(isGlanceImportError(w.cause) ? w.cause : w));
    else other.push(problem(w));
  }
  const row = (name: string, order: number | null): PluginRow => {
    const status = declared.find((s) => s.entryPoint.name === name);
    const loaded = o.plugins.some((p) => p.name === name);
    const error = skipped.get(name) ?? (status?.problem ? problem(status.problem) : null);
    return {
      name,
      package: status?.entryPoint.packageName ?? null,
      version: status?.entryPoint.packageVersion ?? null,
      compatible: status ? status.compatible : null,
      order,
      loaded,
      error: loaded ? null : error,
    };
  };
  const configured = o.configured.map((name, i) => row(name, i + 1));
  const rest = [...new Set(declared.map((s) => s.entryPoint.name))].filter((n) => !o.configured.includes(n)).map((n) => row(n, null));
  return {
    namespace: IMPORT_PLUGINS_NAMESPACE,
    plugin_load_errors: o.loadErrors,
    image_import_plugins: [...o.configured],
    plugins: [...configured, ...rest],
    metadata_errors: o.registry.metadataErrors.map(problem),
    warnings: other,
  };
}
