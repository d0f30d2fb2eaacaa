import { describe, expect, it } from 'vitest';
import { def, defineErrors } from './define.js';
import { isGlanceImportError } from './error.js';

const errors = defineErrors(['GI_DEMO_', 'GI_DEMOX_'], {
  GI_DEMO_MISSING: def<{ file: string }>({
    status: 404,
    message: (p) => `No file '${p.file}'.`,
    hint: 'Check the path.',
  }),
  GI_DEMOX_BROKEN: def<{ n: number }>({
    message: (p) => `Broken ${p.n} times.`,
    hint: (p) => `Try ${p.n + 1} times.`,
  }),
});

describe('defineErrors', () => {
  it('builds an error with the message, the hint, the status and the params as details', () => {
    const cause = new Error('ENOENT');
    const e = errors.error('GI_DEMO_MISSING', { file: 'a.img' }, { cause });
    expect(e).toMatchObject({ code: 'GI_DEMO_MISSING', message: "No file 'a.img'.", hint: 'Check the path.', status: 404, details: { file: 'a.img' } });
    expect(e.cause).toBe(cause);
    expect(e.toJSON()).toEqual({ code: 'GI_DEMO_MISSING', message: "No file 'a.img'.", hint: 'Check the path.', details: { file: 'a.img' } });
  });

  it('computes a hint from the params when the table gives a function', () => {
    expect(errors.error('GI_DEMOX_BROKEN', { n: 2 }).hint).toBe('Try 3 times.');
  });

  it("tells its own errors, by code or any of them, from other packages' and plain ones", () => {
    const mine = errors.error('GI_DEMOX_BROKEN', { n: 1 });
    const other = defineErrors('GI_OTHER_', { GI_OTHER_X: def({ message: () => 'x', hint: 'y' }) }).error('GI_OTHER_X', {});
    expect(errors.is(mine)).toBe(true);
    expect(errors.is(mine, 'GI_DEMOX_BROKEN')).toBe(true);
    expect(errors.is(mine, 'GI_DEMO_MISSING')).toBe(false);
    expect(errors.is(other)).toBe(false);
    expect(errors.is(new Error('GI_DEMO_MISSING'))).toBe(false);
    expect(isGlanceImportError(other, 'GI_OTHER_X')).toBe(true);
  });

  it("refuses a code outside the package's prefixes, and a prefix not shaped GI_<AREA>_", () => {
    expect(() => defineErrors('GI_A_', { GI_B_X: def({ message: () => '', hint: 'h' }) })).toThrow(/outside this package's prefixes/);
    expect(() => defineErrors('STORE_', {})).toThrow(/must look like GI_<AREA>_/);
  });
});
