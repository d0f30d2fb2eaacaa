import { describe, expect, it } from 'vitest';
import { GlanceImportError, isGlanceImportError, reasonOf } from './error.js';

describe('isGlanceImportError', () => {
  it('recognises an error made by another copy of this package, by its name and code', () => {
    const foreign = Object.assign(new Error('m'), { name: 'GlanceImportError', code: 'GI_X_Y' });
    expect(isGlanceImportError(foreign)).toBe(true);
    expect(isGlanceImportError(foreign, 'GI_X_Z')).toBe(false);
    expect(isGlanceImportError(new GlanceImportError('GI_X_Y', 'm', 'h', {}), 'GI_X_Y')).toBe(true);
    expect(isGlanceImportError({ name: 'GlanceImportError' })).toBe(false);
  });
});

describe('reasonOf', () => {
  it('gives one line for errors, strings and anything else thrown', () => {
    expect(reasonOf(new Error('disk full'))).toBe('disk full');
    expect(reasonOf('boom')).toBe('boom');
    expect(reasonOf({ code: 5 })).toBe('{"code":5}');
  });
});
