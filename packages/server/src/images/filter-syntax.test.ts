import { describe, expect, it } from 'vitest';
import { isoTime, pythonInt, splitFilterOp, splitQuoted } from './filter-syntax.js';

describe('filter value syntax, as Glance parses it', () => {
  it('reads ISO 8601 times as iso8601 does, UTC when no zone is given', () => {
    expect(isoTime('2024-03-05T10:20:30Z')).toBe('2024-03-05T10:20:30.000Z');
    expect(isoTime('2024-03-05T10:20:30.123456+02:00')).toBe('2024-03-05T08:20:30.123Z');
    expect(isoTime('2024-03-05 10:20-0130')).toBe('2024-03-05T11:50:00.000Z');
    expect(isoTime('20240305T1020')).toBe('2024-03-05T10:20:00.000Z');
    expect(isoTime('2024-3')).toBe('2024-03-01T00:00:00.000Z');
    expect(isoTime('2024')).toBe('2024-01-01T00:00:00.000Z');
    expect(isoTime('0099-12-31')).toBe('0099-12-31T00:00:00.000Z');
    for (const bad of [
      'yesterday',
      '202403',
      '2024-02-30',
      '2023-02-29',
      '2024-13-01',
      '2024-01-01T24:00',
      '2024-01-01T10:00:00+24:00',
      '0000-01-01',
      '2024-01-01T',
    ]) {
      expect(isoTime(bad), bad).toBeUndefined();
    }
    expect(isoTime('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
  });

  it('splits the operator at the first colon, unless the whole value is a time', () => {
    expect(splitFilterOp('in:a,b')).toEqual({ op: 'in', value: 'a,b' });
    expect(splitFilterOp('eq:ubuntu:22.04')).toEqual({ op: 'eq', value: 'ubuntu:22.04' });
    expect(splitFilterOp('plain')).toEqual({ op: 'eq', value: 'plain' });
    expect(splitFilterOp('2024-01-01T00:00:00Z')).toEqual({ op: 'eq', value: '2024-01-01T00:00:00Z' });
    expect(splitFilterOp('gte:2024-01-01T00:00:00Z')).toEqual({ op: 'gte', value: '2024-01-01T00:00:00Z' });
  });

  it("splits an in: list at commas, keeping double-quoted values whole, and refuses misplaced quotes in Glance's words", () => {
    expect(splitQuoted('a,b')).toEqual(['a', 'b']);
    expect(splitQuoted('a,"x,y",b')).toEqual(['a', 'x,y', 'b']);
    expect(splitQuoted('"x,y"')).toEqual(['x,y']);
    expect(splitQuoted('a,,b')).toEqual(['a', '', 'b']);
    expect(splitQuoted('"say \\"hi\\"",z')).toEqual(['say \\"hi\\"', 'z']);
    expect(() => splitQuoted('a"b",c')).toThrow('Invalid filter value a"b",c. There is no comma before opening quotation mark.');
    expect(() => splitQuoted('"a"b,c')).toThrow('Invalid filter value "a"b,c. There is no comma after closing quotation mark.');
    expect(() => splitQuoted('a,"b')).toThrow('Invalid filter value a,"b. The quote is not closed.');
  });

  it("reads integers as Python's int() does", () => {
    expect([' 5', '+5', '-1', '007'].map(pythonInt)).toEqual([5, 5, -1, 7]);
    expect(['5.0', 'abc', '', '1e3'].map(pythonInt)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
