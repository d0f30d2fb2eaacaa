import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cosmiconfig, getDefaultSearchPlaces } from 'cosmiconfig';
import { giError, GlanceImportError, reasonOf } from '../errors.js';
import { suggest } from '@glance-import/errors';
import { parseIni } from './ini.js';
import {
  composeSchemas,
  coreSchema,
  IGNORED_GLANCE_DEFAULT_OPTIONS,
  IGNORED_GLANCE_GROUPS,
  storeGroupSchema,
  type ConfigSchema,
  type ConfigValues,
  type CoreConfig,
  type CoreSchema,
  type StoreGroupConfig,
} from './schema.js';
import type { GroupSchema, GroupValues } from './types.js';

export const CONFIG_MODULE_NAME = 'glance-import';

/** cosmiconfig's places, plus `glance-import.config.json`, which its defaults lack. */
const SEARCH_PLACES = [...getDefaultSearchPlaces(CONFIG_MODULE_NAME), `${CONFIG_MODULE_NAME}.config.json`];

interface RawValue {
  value: unknown;
  file: string;
  line?: number;
}

export interface ConfigNotice {
  file: string;
  group: string;
  option?: string;
  message: string;
}

export interface LoadConfigOptions<S extends ConfigSchema = Record<never, never>> {
  /** Glance-style INI files, read in order; a later file wins, as with oslo.config. */
  configFiles?: readonly string[];
  /** Directory searched by cosmiconfig (module name `glance-import`); `false` skips it. Default: cwd. */
  searchFrom?: string | false;
  /** Values applied last (tests, CLI flags), as `{ group: { option: value } }`. */
  overrides?: Record<string, Record<string, unknown>>;
  /**
   * The option groups of the package that runs with this config (the server's), composed with
   * core's group by group: both are validated when loaded, `[DEFAULT]` included.
   */
  schema?: S;
}

/**
 * One typed, validated configuration. The groups of the schema it was loaded with (core's and the
 * server's) are validated when loaded; store and plugin groups are kept raw until their schema is
 * known (`group()`), then validated the same way.
 */
export class GlanceConfig<S extends ConfigSchema = CoreSchema> {
  readonly values: ConfigValues<S>;
  private readonly backends: CoreConfig['DEFAULT']['enabled_backends'];

  constructor(
    private readonly raw: Map<string, Map<string, RawValue>>,
    readonly sources: readonly string[],
    readonly notices: readonly ConfigNotice[],
    private readonly schema: ConfigSchema = coreSchema,
  ) {
    const values: Record<string, Record<string, unknown>> = {};
    for (const [group, options] of Object.entries(schema)) values[group] = this.validate(group, options, 'GI_CONFIG_INVALID_VALUE');
    // Built from the schema's own groups, so it holds every group S names.
    this.values = values as ConfigValues<S>;
    this.backends = (values as CoreConfig).DEFAULT.enabled_backends;
  }

  /** Store ids of multi-store mode (`enabled_backends`), in the order written. */
  get storeIds(): string[] {
    return Object.keys(this.backends ?? {});
  }

  store(id: string): StoreGroupConfig {
    return this.validate(id, storeGroupSchema, 'GI_CONFIG_INVALID_VALUE');
  }

  /** Validate a group against a schema: a plugin's (named, so its errors say which plugin), or another package's. */
  group<G extends GroupSchema>(group: string, schema: G, plugin?: string): GroupValues<G> {
    try {
      return this.validate(group, schema, 'GI_CONFIG_INVALID_VALUE');
    } catch (e) {
      if (plugin !== undefined && e instanceof GlanceImportError && e.code === 'GI_CONFIG_INVALID_VALUE') {
        throw giError('GI_PLUGIN_INVALID_OPTIONS', { plugin, group, problems: [e.message.replace(/\.$/, '')] }, { cause: e });
      }
      throw e;
    }
  }

  /** Raw values of a group, for callers that only need to know what was written. */
  rawGroup(group: string): ReadonlyMap<string, RawValue> {
    return this.raw.get(group) ?? new Map();
  }

  /**
   * After plugins are resolved: every group written must belong to the schema, a store, a plugin,
   * or be a Glance group we knowingly ignore.
   */
  checkGroups(pluginGroups: Iterable<string>): void {
    const known = new Set([...Object.keys(this.schema), ...this.storeIds, ...pluginGroups]);
    for (const [group, entries] of this.raw) {
      if (known.has(group) || IGNORED_GLANCE_GROUPS.has(group)) continue;
      const first = [...entries.values()][0];
      throw giError('GI_CONFIG_UNKNOWN_GROUP', { file: first?.file ?? '(config)', group, suggestions: suggest(group, known) });
    }
  }

  private validate<G extends GroupSchema>(group: string, schema: G, code: 'GI_CONFIG_INVALID_VALUE'): GroupValues<G> {
    const entries = this.raw.get(group) ?? new Map<string, RawValue>();
    const out: Record<string, unknown> = {};
    for (const [name, raw] of entries) {
      if (name in schema) continue;
      if (group === 'DEFAULT' && IGNORED_GLANCE_DEFAULT_OPTIONS.has(name)) continue;
      throw giError('GI_CONFIG_UNKNOWN_OPTION', { file: where(raw), group, option: name, suggestions: suggest(name, Object.keys(schema)) });
    }
    for (const [name, spec] of Object.entries(schema)) {
      const raw = entries.get(name);
      if (!raw) {
        out[name] = structuredClone(spec.default);
        continue;
      }
      try {
        out[name] = spec.type.parse(raw.value);
      } catch (e) {
        throw giError(code, { file: where(raw), group, option: name, reason: `${(e as Error).message}; expected ${spec.type.description}` });
      }
    }
    return out as GroupValues<G>;
  }
}

const where = (r: RawValue) => (r.line ? `${r.file}:${r.line}` : r.file);

function put(raw: Map<string, Map<string, RawValue>>, group: string, option: string, value: RawValue): void {
  let g = raw.get(group);
  if (!g) raw.set(group, (g = new Map()));
  g.set(option, value);
}

/** The line of a cosmiconfig loader's error that says what is wrong (not its prefix or code frame). */
function loadFailure(e: unknown): string {
  // Parsers colour their code frames when they think the terminal can show it (CI=true does that).
  // eslint-disable-next-line no-control-regex
  const plain = reasonOf(e).replace(/\x1b\[[0-9;]*m/g, '');
  const lines = plain
    .replace(/^\w+ Error in [^\n]*\n/, '')
    .split('\n')
    .map((l) => l.trim());
  return lines.find((l) => l && !/^>?\s*\d*\s*\|/.test(l) && !/^-*\^$/.test(l)) ?? 'unknown error';
}

async function readIni(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw giError('GI_CONFIG_FILE_NOT_FOUND', { file }, { cause: e });
  }
}

/** Load cosmiconfig config, then each INI file in order, then overrides; validate the schema's groups. */
export async function loadConfig<S extends ConfigSchema = Record<never, never>>(options: LoadConfigOptions<S> = {}): Promise<GlanceConfig<CoreSchema & S>> {
  const schema = composeSchemas([coreSchema, ...(options.schema ? [options.schema] : [])]);
  const raw = new Map<string, Map<string, RawValue>>();
  const sources: string[] = [];
  const notices: ConfigNotice[] = [];

  if (options.searchFrom !== false) {
    const dir = options.searchFrom ?? process.cwd();
    const found = await cosmiconfig(CONFIG_MODULE_NAME, { searchPlaces: SEARCH_PLACES })
      .search(dir)
      .catch((e: unknown) => {
        throw giError('GI_CONFIG_LOAD_FAILED', { file: (e as { filepath?: string }).filepath ?? dir, reason: loadFailure(e) }, { cause: e });
      });
    if (found && !found.isEmpty) {
      sources.push(found.filepath);
      const cfg = found.config as unknown;
      if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) {
        throw giError('GI_CONFIG_PARSE', {
          file: found.filepath,
          line: 1,
          reason: 'expected an object of groups, e.g. { "image_import_opts": { "image_import_plugins": ["no_op"] } }',
        });
      }
      for (const [group, opts] of Object.entries(cfg)) {
        if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
          throw giError('GI_CONFIG_PARSE', { file: found.filepath, line: 1, reason: `group '${group}' must be an object of options` });
        }
        for (const [option, value] of Object.entries(opts)) put(raw, group, option, { value, file: found.filepath });
      }
    }
  }

  for (const f of options.configFiles ?? []) {
    const file = path.resolve(f);
    sources.push(file);
    for (const e of parseIni(await readIni(file), file)) put(raw, e.group, e.option, { value: e.value, file, line: e.line });
  }

  for (const [group, opts] of Object.entries(options.overrides ?? {})) {
    for (const [option, value] of Object.entries(opts)) put(raw, group, option, { value, file: '(overrides)' });
  }

  for (const [group, entries] of raw) {
    const first = [...entries.values()][0]!;
    // A group a package defines is not ignored, even where Glance's own file has it ([database]).
    if (IGNORED_GLANCE_GROUPS.has(group) && !(group in schema))
      notices.push({ file: first.file, group, message: `[${group}] is a Glance group glance-import does not use; ignored.` });
    if (group === 'DEFAULT') {
      for (const [option, v] of entries) {
        if (!(option in (schema.DEFAULT ?? {})) && IGNORED_GLANCE_DEFAULT_OPTIONS.has(option)) {
          notices.push({ file: v.file, group, option, message: `[DEFAULT] ${option} is a Glance option glance-import does not use; ignored.` });
        }
      }
    }
  }

  return new GlanceConfig<CoreSchema & S>(raw, sources, notices, schema);
}
