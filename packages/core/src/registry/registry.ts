import path from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import { giError, isGlanceImportError, reasonOf, type GlanceImportError } from '../errors.js';
import { suggest } from '@glance-import/errors';
import { CORE_PACKAGE, coreVersion } from '../version.js';
import { findHostRoot, hostCandidates, type PackageInfo } from './packages.js';

export interface EntryPoint {
  readonly namespace: string;
  readonly name: string;
  readonly packageName: string;
  readonly packageVersion: string;
  readonly packageDir: string;
  /** Module path relative to the package root, as declared. */
  readonly module: string;
  readonly exportName: string;
  /** The plugin's declared range for the host package (from peerDependencies). */
  readonly hostRange: string | undefined;
}

export interface EntryPointStatus {
  readonly entryPoint: EntryPoint;
  readonly compatible: boolean;
  /** Why it cannot be used, without importing it: incompatible range, missing range, duplicate claim. */
  readonly problem?: GlanceImportError<string>;
}

export interface LoadedExtension<T = unknown> {
  readonly name: string;
  readonly entryPoint: EntryPoint;
  readonly value: T;
}

export type OnLoadError = 'fail' | 'warn';

export interface LoadOptions {
  /** 'fail' (default) throws the first error; 'warn' skips the entry point and reports it. */
  onError?: OnLoadError;
  /** Receives every skipped entry point's error (GI_REGISTRY_SKIPPED with the cause) in warn mode. */
  onWarning?: (warning: GlanceImportError<string>) => void;
}

export interface HostPackage {
  name: string;
  version: string;
}

export interface DiscoverOptions {
  /** Directory of the host application (or below it); default cwd. */
  root?: string;
  /** Extra package directories (`[glance_import] plugin_dirs`). */
  dirs?: readonly string[];
  /** The package whose version plugins declare a range for; default the running core. */
  host?: HostPackage;
  /** Export used when an entry point names none, per namespace (default 'default'). */
  defaultExports?: Record<string, string>;
}

export const DEFAULT_EXPORTS: Record<string, string> = { 'glance.image_import.plugins': 'getFlow' };

function parseEntryPoints(pkg: PackageInfo, defaults: Record<string, string>): EntryPoint[] {
  const raw = pkg.json.entryPoints;
  if (raw === undefined) return [];
  const name = pkg.json.name ?? path.basename(pkg.dir);
  const bad = (reason: string) => giError('GI_REGISTRY_BAD_METADATA', { package: name, reason });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('entryPoints must be an object of namespaces');
  const out: EntryPoint[] = [];
  for (const [namespace, entries] of Object.entries(raw)) {
    if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) throw bad(`namespace '${namespace}' must map names to module paths`);
    for (const [epName, target] of Object.entries(entries as Record<string, unknown>)) {
      if (typeof target !== 'string' || !target) throw bad(`'${namespace}.${epName}' must be a "<module path>[:<export>]" string`);
      const colon = target.lastIndexOf(':');
      const module = colon > 0 ? target.slice(0, colon) : target;
      const exportName = colon > 0 ? target.slice(colon + 1) : (defaults[namespace] ?? 'default');
      const resolved = path.resolve(pkg.dir, module);
      if (!module.startsWith('.') || path.relative(pkg.dir, resolved).startsWith('..')) {
        throw bad(`'${namespace}.${epName}' points at '${module}', which is not a relative path inside the package`);
      }
      out.push({
        namespace,
        name: epName,
        packageName: name,
        packageVersion: pkg.json.version ?? '0.0.0',
        packageDir: pkg.dir,
        module,
        exportName,
        hostRange: pkg.json.peerDependencies?.[CORE_PACKAGE],
      });
    }
  }
  return out;
}

/**
 * Our stevedore: entry points declared in package.json under `entryPoints`, read without importing
 * code; named entry points are imported lazily, in the order of the names given.
 */
export class EntryPointRegistry {
  private readonly given = new Map<EntryPoint, unknown>();

  private constructor(
    private readonly entryPoints: readonly EntryPoint[],
    private readonly host: HostPackage,
    /** Metadata errors found while discovering; surfaced by list() and by loads that need them. */
    readonly metadataErrors: readonly GlanceImportError<string>[] = [],
  ) {}

  static discover(options: DiscoverOptions = {}): EntryPointRegistry {
    const root = findHostRoot(options.root ?? process.cwd());
    const defaults = { ...DEFAULT_EXPORTS, ...options.defaultExports };
    const eps: EntryPoint[] = [];
    const errors: GlanceImportError<string>[] = [];
    for (const pkg of hostCandidates(root, options.dirs)) {
      try {
        eps.push(...parseEntryPoints(pkg, defaults));
      } catch (e) {
        if (isGlanceImportError(e)) errors.push(e);
        else throw e;
      }
    }
    return new EntryPointRegistry(eps, options.host ?? { name: CORE_PACKAGE, version: coreVersion() }, errors);
  }

  /** A registry of given values, no discovery (tests, built-ins). */
  static fromExtensions(namespace: string, extensions: Record<string, unknown>): EntryPointRegistry {
    return EntryPointRegistry.fromNamespaces({ [namespace]: extensions });
  }

  /** Like fromExtensions, for several namespaces at once: `{ namespace: { name: value } }`. */
  static fromNamespaces(namespaces: Record<string, Record<string, unknown>>): EntryPointRegistry {
    const given = Object.entries(namespaces).flatMap(([namespace, extensions]) =>
      Object.entries(extensions).map(([name, value]) => ({ namespace, name, value })),
    );
    const eps = given.map(({ namespace, name }): EntryPoint => ({
      namespace,
      name,
      packageName: '(given)',
      packageVersion: coreVersion(),
      packageDir: '',
      module: '(given)',
      exportName: name,
      hostRange: '*',
    }));
    const reg = new EntryPointRegistry(eps, { name: CORE_PACKAGE, version: coreVersion() });
    eps.forEach((ep, i) => reg.given.set(ep, given[i]!.value));
    return reg;
  }

  /** Every entry point of a namespace (or all), with whether it can be used here. */
  list(namespace?: string): EntryPointStatus[] {
    return this.entryPoints
      .filter((ep) => namespace === undefined || ep.namespace === namespace)
      .map((ep) => {
        const problem = this.problemOf(ep);
        return problem ? { entryPoint: ep, compatible: false, problem } : { entryPoint: ep, compatible: true };
      });
  }

  names(namespace: string): string[] {
    return [...new Set(this.entryPoints.filter((e) => e.namespace === namespace).map((e) => e.name))].sort();
  }

  /** Load the named entry points, in the order given (stevedore's NamedExtensionManager, name_order=True). */
  async loadNamed<T = unknown>(namespace: string, names: readonly string[], options: LoadOptions = {}): Promise<LoadedExtension<T>[]> {
    const out: LoadedExtension<T>[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      try {
        if (seen.has(name)) throw giError('GI_REGISTRY_DUPLICATE_NAME', { namespace, name });
        seen.add(name);
        out.push(await this.load<T>(namespace, name));
      } catch (e) {
        if (options.onError !== 'warn' || !isGlanceImportError(e)) throw e;
        options.onWarning?.(giError('GI_REGISTRY_SKIPPED', { name, reason: `${e.code}: ${e.message}` }, { cause: e }));
      }
    }
    return out;
  }

  /** Exactly one entry point by name (stevedore's DriverManager). */
  driver<T = unknown>(namespace: string, name: string): Promise<LoadedExtension<T>> {
    return this.load<T>(namespace, name);
  }

  private find(namespace: string, name: string): EntryPoint {
    const matches = this.entryPoints.filter((e) => e.namespace === namespace && e.name === name);
    if (matches.length === 0) {
      const available = this.names(namespace);
      const meta = this.metadataErrors[0];
      throw giError('GI_REGISTRY_NOT_FOUND', { namespace, name, available, suggestions: suggest(name, available) }, meta ? { cause: meta } : undefined);
    }
    return matches[0]!;
  }

  private problemOf(ep: EntryPoint): GlanceImportError<string> | undefined {
    const claims = this.entryPoints.filter((e) => e.namespace === ep.namespace && e.name === ep.name);
    if (claims.length > 1)
      return giError('GI_REGISTRY_DUPLICATE_CLAIM', {
        namespace: ep.namespace,
        name: ep.name,
        packages: claims.map((c) => `${c.packageName}@${c.packageVersion}`),
      });
    if (this.given.has(ep)) return undefined;
    const range = ep.hostRange;
    if (!range) return giError('GI_REGISTRY_NO_CORE_RANGE', { name: ep.name, package: ep.packageName, host: this.host.name });
    // Inside the monorepo a plugin is built against the very core it is linked to; an installed
    // package that still says `workspace:` was published wrongly and is checked like any range.
    if (range.startsWith('workspace:') && !ep.packageDir.split(path.sep).includes('node_modules')) return undefined;
    if (!semver.validRange(range) || !semver.satisfies(this.host.version, range, { includePrerelease: true })) {
      return giError('GI_REGISTRY_INCOMPATIBLE', {
        name: ep.name,
        package: ep.packageName,
        packageVersion: ep.packageVersion,
        host: this.host.name,
        range,
        version: this.host.version,
      });
    }
    return undefined;
  }

  private async load<T>(namespace: string, name: string): Promise<LoadedExtension<T>> {
    const ep = this.find(namespace, name);
    const problem = this.problemOf(ep);
    if (problem) throw problem;
    if (this.given.has(ep)) return { name, entryPoint: ep, value: this.given.get(ep) as T };
    const file = path.resolve(ep.packageDir, ep.module);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (e) {
      throw giError('GI_REGISTRY_IMPORT_FAILED', { name, package: ep.packageName, module: ep.module, reason: reasonOf(e) }, { cause: e });
    }
    const value = mod[ep.exportName];
    if (typeof value !== 'function') {
      throw giError('GI_REGISTRY_EXPORT_INVALID', {
        name,
        package: ep.packageName,
        export: ep.exportName,
        found: value === undefined ? 'missing' : `a ${typeof value}`,
      });
    }
    return { name, entryPoint: ep, value: value as T };
  }
}
