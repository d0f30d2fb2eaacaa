import { describe, expect, it } from 'vitest';
import { defineStoreDriver, type StoreOptionSpec } from './define-driver.js';
import type { StoreDriver } from './types.js';

// Option specs shaped as @glance-import/core's option() builds them (this package does not depend on core).
const spec = <T>(parse: (raw: unknown) => T, description: string, dflt: T): StoreOptionSpec<T> => ({
  type: { parse, description },
  default: dflt,
  help: description,
});
const integer = (raw: unknown) => {
  if (!/^-?\d+$/.test(String(raw))) throw new Error('no');
  return Number(raw);
};
const options = {
  weight: spec(integer, 'an integer', 0),
  bucket: spec((raw) => String(raw), 'a string', undefined as string | undefined),
  create_on_put: spec((raw) => raw === true || raw === 'true', 'true or false', false),
};

const seen: unknown[] = [];
const driver = defineStoreDriver({
  options,
  create(id, values): StoreDriver {
    seen.push(values);
    return {
      id,
      type: 'demo',
      readOnly: false,
      weight: values.weight,
      add: async () => {
        throw new Error('no');
      },
      get: async () => {
        throw new Error('no');
      },
      delete: async () => undefined,
      exists: async () => false,
    };
  },
});

describe('defineStoreDriver', () => {
  it('attaches the option schema where the service looks for it, and hands the factory typed values with defaults', () => {
    expect(driver.meta.options).toBe(options); // where the service's pluginMeta() finds a schema
    expect(driver('cold', { bucket: 'images', weight: '5' })).toMatchObject({ id: 'cold', weight: 5 });
    expect(seen.at(-1)).toEqual({ weight: 5, bucket: 'images', create_on_put: false });
    driver('cold', { bucket: 'images', create_on_put: true, weight: 2 }); // values the service already parsed
    expect(seen.at(-1)).toEqual({ weight: 2, bucket: 'images', create_on_put: true });
  });

  it('refuses an unknown option with a suggestion, and a bad value naming the option but not the value', () => {
    expect(() => driver('cold', { buckt: 'images' })).toThrow(
      expect.objectContaining({
        code: 'GI_STORE_BAD_OPTIONS',
        message: "Store 'cold' cannot be set up: unknown option 'buckt' (did you mean 'bucket'?).",
      }),
    );
    let error: Error | undefined;
    try {
      driver('cold', { weight: 'hunter2' });
    } catch (e) {
      error = e as Error;
    }
    expect(error).toMatchObject({ code: 'GI_STORE_BAD_OPTIONS', message: "Store 'cold' cannot be set up: weight is not an integer." });
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });
});
