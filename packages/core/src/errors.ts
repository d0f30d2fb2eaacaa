/**
 * The one error registry of glance-import. Every error and warning the project raises has a stable
 * `GI_*` code, a message built from typed parameters, and a hint telling a person what to do.
 * Codes are never reused or renumbered: scripts and operators match on them.
 */

type Params = Record<string, unknown>;

interface Definition<P extends Params> {
  /** HTTP status when the error reaches an API client. */
  status?: number;
  message: (p: P) => string;
  hint: string | ((p: P) => string);
}

const define = <P extends Params>(d: Definition<P>) => d;
const list = (items: readonly string[]) => items.map((i) => `'${i}'`).join(', ');
const didYouMean = (s?: string[]) => (s && s.length ? ` Did you mean ${list(s)}?` : '');

export const errorDefinitions = {
  // --- flows and the engine -------------------------------------------------------------------
  GI_FLOW_INVALID: define<{ flow: string; reason: string }>({
    message: (p) => `Flow '${p.flow}' is not valid: ${p.reason}.`,
    hint: 'Fix the flow definition returned by the plugin or caller that built it.',
  }),
  GI_FLOW_DUPLICATE_ATOM: define<{ name: string }>({
    message: (p) => `Two atoms in one flow are named '${p.name}'.`,
    hint: 'Atom names identify persisted state; give every task in a flow a distinct name.',
  }),
  GI_FLOW_CYCLE: define<{ flow: string; cycle: string[] }>({
    message: (p) => `Graph flow '${p.flow}' has a dependency cycle: ${p.cycle.join(' -> ')}.`,
    hint: 'A graph flow orders tasks by what they require and provide; break the cycle by renaming or removing one requirement.',
  }),
  GI_FLOW_MISSING_INPUT: define<{ atom: string; input: string; detail?: string }>({
    message: (p) => `Task '${p.atom}' requires '${p.input}', which nothing provides before it${p.detail ? ` (${p.detail})` : ''}.`,
    hint: 'Provide the value as an engine input, or add a task ordered before it that provides it.',
  }),
  GI_FLOW_FAILED: define<{ flow: string; atom: string; reason: string }>({
    status: 500,
    message: (p) => `Flow '${p.flow}' failed in task '${p.atom}': ${p.reason}`,
    hint: 'See `failures` for the original error and any revert failures.',
  }),
  GI_FLOW_CANCELLED: define<{ flow: string; reason?: string }>({
    message: (p) => `Flow '${p.flow}' was cancelled${p.reason ? `: ${p.reason}` : ''}.`,
    hint: 'The flow was aborted through its signal; what had run was reverted.',
  }),
  GI_FLOW_RESULT_SHAPE: define<{ atom: string; missing: string[] }>({
    message: (p) => `Task '${p.atom}' declares provides ${list(p.missing)} but its result has no such key.`,
    hint: 'A task that provides several names must return an object with one key per name.',
  }),

  // --- the entry-point registry ---------------------------------------------------------------
  GI_REGISTRY_NOT_FOUND: define<{ namespace: string; name: string; suggestions?: string[]; available: string[] }>({
    message: (p) => `No entry point '${p.name}' in namespace '${p.namespace}'.${didYouMean(p.suggestions)}`,
    hint: (p) => p.available.length
      ? `Installed names: ${list(p.available)}. Install the package that provides '${p.name}' (npm install it in the host app) or fix the name.`
      : `No package declares entry points in '${p.namespace}'. Install a plugin package and list it in the host's package.json dependencies.`,
  }),
  GI_REGISTRY_DUPLICATE_CLAIM: define<{ namespace: string; name: string; packages: string[] }>({
    message: (p) => `Entry point '${p.name}' in '${p.namespace}' is claimed by several packages: ${list(p.packages)}.`,
    hint: 'Uninstall all but one of these packages; an entry-point name must be unique.',
  }),
  GI_REGISTRY_DUPLICATE_NAME: define<{ namespace: string; name: string }>({
    message: (p) => `'${p.name}' is listed more than once for '${p.namespace}'.`,
    hint: 'Each plugin runs once; remove the repeated name from the list.',
  }),
  GI_REGISTRY_BAD_METADATA: define<{ package: string; reason: string }>({
    message: (p) => `Package '${p.package}' declares invalid entry points: ${p.reason}.`,
    hint: 'Entry points are `"entryPoints": { "<namespace>": { "<name>": "<module path>[:<export>]" } }` in package.json.',
  }),
  GI_REGISTRY_IMPORT_FAILED: define<{ name: string; package: string; module: string; reason: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) could not be imported from '${p.module}': ${p.reason}`,
    hint: 'Is the package built and installed completely? The cause is attached.',
  }),
  GI_REGISTRY_EXPORT_INVALID: define<{ name: string; package: string; export: string; found: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) names export '${p.export}', which is ${p.found}; a function was expected.`,
    hint: 'Point the entry point at an exported function, e.g. "./dist/index.js:getFlow".',
  }),
  GI_REGISTRY_INCOMPATIBLE: define<{ name: string; package: string; host: string; range: string; version: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) requires ${p.host} ${p.range}, but ${p.version} is running.`,
    hint: (p) => `Install a version of ${p.package} built for ${p.host} ${p.version}, or a ${p.host} that satisfies ${p.range}.`,
  }),
  GI_REGISTRY_NO_CORE_RANGE: define<{ name: string; package: string; host: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) does not say which ${p.host} it works with.`,
    hint: (p) => `The plugin's package.json must list ${p.host} in peerDependencies with a semver range.`,
  }),
  GI_REGISTRY_FACTORY_FAILED: define<{ name: string; package: string; reason: string }>({
    message: (p) => `Entry point '${p.name}' (${p.package}) failed while building its flow: ${p.reason}`,
    hint: 'The plugin threw from getFlow(); the cause is attached.',
  }),
  GI_REGISTRY_HOST_NOT_FOUND: define<{ root: string }>({
    message: (p) => `No package.json found at or above '${p.root}'.`,
    hint: 'Run the command inside the host application (the folder whose package.json lists the plugins), or pass --root.',
  }),
  GI_REGISTRY_SKIPPED: define<{ name: string; reason: string }>({
    message: (p) => `Entry point '${p.name}' was skipped: ${p.reason}`,
    hint: 'The operator chose to warn and skip (plugin_load_errors = warn); fix the cause or remove the name.',
  }),

  // --- import plugins ---------------------------------------------------------------------------
  GI_PLUGIN_INVALID_OPTIONS: define<{ plugin: string; group: string; problems: string[] }>({
    message: (p) => `Options of plugin '${p.plugin}' in [${p.group}] are invalid: ${p.problems.join('; ')}.`,
    hint: 'Fix the values in the config file; `glance-import config check` shows every problem.',
  }),
  GI_PLUGIN_CHAIN_INCOMPATIBLE: define<{ plugin: string; position: number; reason: string; fix?: string }>({
    message: (p) => `Plugin '${p.plugin}' (position ${p.position} in image_import_plugins) cannot work here: ${p.reason}.`,
    hint: (p) => p.fix ?? 'Reorder [image_import_plugins] image_import_plugins so each plugin receives data it accepts.',
  }),

  // --- configuration ----------------------------------------------------------------------------
  GI_CONFIG_PARSE: define<{ file: string; line: number; reason: string }>({
    message: (p) => `${p.file}:${p.line}: ${p.reason}.`,
    hint: 'Config files use oslo.config INI syntax: [group] headers and `name = value` lines.',
  }),
  GI_CONFIG_FILE_NOT_FOUND: define<{ file: string }>({
    message: (p) => `Config file '${p.file}' does not exist or cannot be read.`,
    hint: 'Check the path given to --config-file.',
  }),
  GI_CONFIG_UNKNOWN_GROUP: define<{ file: string; group: string; suggestions?: string[] }>({
    message: (p) => `${p.file}: unknown group [${p.group}].${didYouMean(p.suggestions)}`,
    hint: 'Groups are those of glance-api.conf / glance-image-import.conf, one per store in enabled_backends, and one per configured plugin.',
  }),
  GI_CONFIG_UNKNOWN_OPTION: define<{ file: string; group: string; option: string; suggestions?: string[] }>({
    message: (p) => `${p.file}: unknown option '${p.option}' in [${p.group}].${didYouMean(p.suggestions)}`,
    hint: 'Remove the option or fix its spelling; `glance-import config check` lists what each group accepts.',
  }),
  GI_CONFIG_INVALID_VALUE: define<{ file: string; group: string; option: string; reason: string }>({
    message: (p) => `${p.file}: [${p.group}] ${p.option}: ${p.reason}.`,
    hint: 'Fix the value; the message says what the option accepts.',
  }),

  // --- the format inspector (GI_INSPECT_*) ------------------------------------------------------

  // --- shipped import plugins (GI_DECOMPRESS_*, GI_CONVERT_*, GI_INJECT_*) ----------------------
  GI_DECOMPRESS_TOO_LARGE: define<{ format: string; limit: number; guard: 'image_size_cap' | 'staging_quota' | 'max_ratio' | 'max_output_bytes'; inputBytes: number }>({
    message: (p) => `Decompressing the ${p.format} data went past ${p.limit} bytes, the limit set by ${{
      image_size_cap: '[DEFAULT] image_size_cap', staging_quota: 'the staging quota left to this project',
      max_ratio: '[image_decompression] max_ratio (times the compressed size)', max_output_bytes: '[image_decompression] max_output_bytes',
    }[p.guard]}; stopped, and the staged data is unchanged.`,
    hint: (p) => p.guard === 'max_ratio' || p.guard === 'max_output_bytes'
      ? `Either a decompression bomb or an image that really expands this much (${p.inputBytes} bytes in). If it is genuine, raise [image_decompression] ${p.guard} and import again.`
      : 'The decompressed image does not fit; upload a smaller image, or ask the operator to raise the limit.',
  }),
  GI_DECOMPRESS_CORRUPT: define<{ format: string; reason: string }>({
    message: (p) => `The staged data looks like ${p.format} but cannot be decompressed: ${p.reason}.`,
    hint: 'The upload is truncated or damaged, or is not the format its first bytes claim. Check the file locally (e.g. `gzip -t`, `xz -t`, `zstd -t`, `bzip2 -t`, `unzip -t`) and stage it again; the staged data is unchanged.',
  }),
  GI_DECOMPRESS_UNSUPPORTED_FORMAT: define<{ format: string }>({
    message: (p) => `The staged data is a ${p.format} archive, which image_decompression does not decompress.`,
    hint: 'Recompress the image with gzip, zstd, xz or bzip2 (or zip with one member), or set container_format to \'compressed\' to store it as it is.',
  }),
  GI_DECOMPRESS_MEMORY: define<{ format: string; needed: string; limit: string }>({
    message: (p) => `The ${p.format} data needs ${p.needed} of decoding window; the decoder allows at most ${p.limit}.`,
    hint: 'The reference tools refuse such data by default too (`zstd -d` without --memory). Recompress without --long/--ultra (zstd) or with at most -9 (xz).',
  }),
  GI_DECOMPRESS_ZIP_MEMBERS: define<{ count: number }>({
    message: (p) => `The zip archive holds ${p.count} members; image_decompression takes an archive with exactly one file.`,
    hint: 'Zip the disk image alone (no folders, no extra files), or compress it with gzip, zstd or xz.',
  }),
  GI_DECOMPRESS_ZIP_UNSAFE_NAME: define<{ name: string; reason: string }>({
    message: (p) => `The zip member '${p.name}' has an unsafe name (${p.reason}); the archive is refused.`,
    hint: 'Member names must be relative paths without `..`, drive letters or backslashes. Such a name only appears in crafted archives: zip the image file again.',
  }),
  GI_DECOMPRESS_ZIP_UNSUPPORTED: define<{ name: string; reason: string }>({
    message: (p) => `The zip member '${p.name}' cannot be used: ${p.reason}.`,
    hint: 'Zip the image as a plain file with deflate or no compression, without encryption (`zip image.zip disk.img`).',
  }),
  GI_DECOMPRESS_WRITE_FAILED: define<{ path: string; reason: string }>({
    message: (p) => `Could not write the decompressed image to '${p.path}': ${p.reason}.`,
    hint: 'Check free space and permissions in the staging directory ([DEFAULT] node_staging_uri); the staged data is unchanged, so the import can be retried.',
  }),
  GI_INJECT_FORBIDDEN_PROPERTY: define<{ keys: string[] }>({
    message: (p) => `[inject_metadata_properties] inject names properties an import may not set: ${p.keys.join(', ')}.`,
    hint: 'Base attributes (id, size, disk_format, owner, visibility, …) and the reserved os_glance* namespace cannot be injected; remove them from `inject`.',
  }),

  // --- the image service: API, stores, database (GI_API_*, GI_STORE_*, GI_DB_*, GI_IMPORT_*) -----

  // --- import methods and quotas (GI_METHOD_*, GI_QUOTA_*) ---------------------------------------
} as const;

export type ErrorCode = keyof typeof errorDefinitions;
export type ErrorParams<C extends ErrorCode> = Parameters<(typeof errorDefinitions)[C]['message']>[0];

export interface GlanceImportErrorJSON {
  code: string;
  message: string;
  hint: string;
  details?: Record<string, unknown>;
}

export class GlanceImportError<C extends string = ErrorCode> extends Error {
  override readonly name = 'GlanceImportError';
  readonly code: C;
  readonly hint: string;
  readonly status: number | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: C, message: string, hint: string, details: Record<string, unknown>, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = hint;
    this.status = options?.status;
    this.details = details;
  }

  toJSON(): GlanceImportErrorJSON {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

/** Build a registered error: `giError('GI_FLOW_CYCLE', { flow, cycle })`. */
export function giError<C extends ErrorCode>(code: C, params: ErrorParams<C>, options?: { cause?: unknown }): GlanceImportError<C> {
  const def = errorDefinitions[code] as unknown as Definition<Params>;
  const p = params as Params;
  const hint = typeof def.hint === 'function' ? def.hint(p) : def.hint;
  return new GlanceImportError(code, def.message(p), hint, p, { cause: options?.cause, status: def.status });
}

/** True for any glance-import error, across duplicated copies of this package (no `instanceof`). */
export function isGlanceImportError(e: unknown, code?: string): e is GlanceImportError<string> {
  return typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'GlanceImportError'
    && typeof (e as { code?: unknown }).code === 'string' && (code === undefined || (e as { code: string }).code === code);
}

/** A readable one-line reason for any thrown value. */
export function reasonOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : JSON.stringify(e);
}
