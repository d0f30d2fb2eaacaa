import { describe, expect, it } from 'vitest';
import { boolean, dict, integer, list, port, secret, string } from './types.js';

describe('option types (oslo.config syntax)', () => {
  it('lists accept oslo forms and JSON arrays', () => {
    const l = list(string());
    expect(l.parse("['image_decompression', 'image_conversion']")).toEqual(['image_decompression', 'image_conversion']);
    expect(l.parse('[glance-direct,web-download]')).toEqual(['glance-direct', 'web-download']);
    expect(l.parse('a, "b, c"')).toEqual(['a', 'b, c']);
    expect(l.parse('[]')).toEqual([]);
    expect(l.parse('')).toEqual([]);
    expect(l.parse(['x'])).toEqual(['x']);
    expect(list(port()).parse('[80,443,8000]')).toEqual([80, 443, 8000]);
    expect(() => list(port()).parse('80, 99999')).toThrow(/item 2: 99999 is not from 1 to 65535/);
  });

  it('dicts accept key:value pairs with quotes, and objects', () => {
    expect(dict(string()).parse('"injected_by":"peer"')).toEqual({ injected_by: 'peer' });
    expect(dict(string()).parse('fast:file, slow:file')).toEqual({ fast: 'file', slow: 'file' });
    expect(dict(string()).parse({ a: 'b' })).toEqual({ a: 'b' });
    expect(() => dict(string()).parse('novalue')).toThrow(/not key:value/);
    expect(() => dict(string({ choices: ['file'] })).parse('x:swift')).toThrow(/key 'x': 'swift' is not one of 'file'/);
  });

  it('secrets parse as strings and never repeat a bad value', () => {
    expect(secret().parse("'s3cr3t'")).toBe('s3cr3t');
    expect(secret().parse(1234)).toBe('1234');
    expect(() => secret().parse({ key: 's3cr3t' })).toThrow('expected a string (the value is not shown)');
  });

  it('booleans, integers and strings', () => {
    expect(boolean().parse('True')).toBe(true);
    expect(boolean().parse('no')).toBe(false);
    expect(() => boolean().parse('maybe')).toThrow(/not a boolean/);
    expect(integer({ min: 1 }).parse('10')).toBe(10);
    expect(() => integer({ min: 1 }).parse('0')).toThrow(/not >= 1/);
    expect(() => integer().parse('ten')).toThrow(/not an integer/);
    expect(string({ choices: ['serial', 'parallel'] }).parse('"serial"')).toBe('serial');
    expect(() => string({ choices: ['serial', 'parallel'] }).parse('fast')).toThrow(/not one of 'serial', 'parallel'/);
  });
});
