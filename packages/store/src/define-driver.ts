import { suggest } from '@glance-import/errors';
import { storeErrors } from './errors.js';
import type { StoreDriver, StoreDriverFactory } from './types.js';

/** An option of a store's group: what `option(type, { default, help })` of @glance-import/core builds (the store package needs no core). */
export interface StoreOptionSpec<T> {
  readonly type: { parse(raw: unknown): T; readonly description: string };
  readonly default: T;
  readonly help: string;
}

export type StoreOptionSchema = Record<string, StoreOptionSpec<unknown>>;
export type StoreOptionValues<S extends StoreOptionSchema> = { -readonly [K in keyof S]: S[K] extends StoreOptionSpec<infer T> ? T : never };

export interface StoreDriverSpec<S extends StoreOptionSchema> {
  /** The options of the store's group, Glance's names; `store_description` and `weight` included. */
  options: S;
  description?: string;
  create(id: string, values: StoreOptionValues<S>): StoreDriver;
}

/** A store driver's entry point: the factory, with its option schema attached for the service to validate the group. */
export type DefinedStoreDriver<S extends StoreOptionSchema> = StoreDriverFactory & { readonly meta: { readonly options: S; readonly description?: string } };

/**
 * Declares a store driver, as definePlugin declares an import plugin. The service validates the
 * store's group against `options` before it calls the factory (errors with file, line, group and
 * option); the factory checks again, so that raw values from any caller are parsed the same way:
 * an unknown option or a bad value is GI_STORE_BAD_OPTIONS naming it. A value is never repeated in
 * the message by this check, as it may be a credential.
 */
export function defineStoreDriver<S extends StoreOptionSchema>(spec: StoreDriverSpec<S>): DefinedStoreDriver<S> {
  const factory: StoreDriverFactory = (id, raw) => spec.create(id, parseStoreOptions(id, spec.options, raw));
  return Object.assign(factory, { meta: { options: spec.options, description: spec.description } });
}

export function parseStoreOptions<S extends StoreOptionSchema>(store: string, schema: S, raw: Record<string, unknown>): StoreOptionValues<S> {
  for (const name of Object.keys(raw)) {
    if (!(name in schema)) {
      const near = suggest(name, Object.keys(schema));
      throw storeErrors.error('GI_STORE_BAD_OPTIONS', {
        store,
        reason: `unknown option '${name}'${near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(' or ')}?)` : ''}`,
      });
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    if (raw[name] === undefined) {
      out[name] = structuredClone(spec.default);
      continue;
    }
    try {
      out[name] = spec.type.parse(raw[name]);
    } catch {
      throw storeErrors.error('GI_STORE_BAD_OPTIONS', { store, reason: `${name} is not ${spec.type.description}` });
    }
  }
  return out as StoreOptionValues<S>;
}
