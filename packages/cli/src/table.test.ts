import { describe, expect, it } from 'vitest';
import { fields, table } from './table.js';

const rows = [
  ['ID', 'NAME', 'STATUS'],
  ['2f0c3c52-4a57-4d43-9c02-0f5b1b0b6a57', 'debian-12-generic-amd64-20240201', 'active'],
  ['8a1b0c52-0000-4d43-9c02-0f5b1b0b6a57', 'x', 'queued'],
];

describe('table', () => {
  it('pads every column but the last; cuts nothing without a terminal width', () => {
    expect(table(rows)).toBe(
      [
        'ID                                    NAME                              STATUS',
        '2f0c3c52-4a57-4d43-9c02-0f5b1b0b6a57  debian-12-generic-amd64-20240201  active',
        '8a1b0c52-0000-4d43-9c02-0f5b1b0b6a57  x                                 queued',
      ].join('\n'),
    );
  });

  it('fits a terminal: the widest column that may be cut is cut, marked with …; kept columns stay whole', () => {
    const out = table(rows, { columns: 60, keep: [0] });
    expect(out.split('\n').every((l) => l.length <= 60)).toBe(true);
    expect(out.split('\n')[1]).toBe('2f0c3c52-4a57-4d43-9c02-0f5b1b0b6a57  debian-12-gen…  active');
  });

  it('stops cutting at a few characters: a very narrow terminal wraps rather than loses everything', () => {
    expect(table(rows, { columns: 10, keep: [0] }).split('\n')[1]).toBe('2f0c3c52-4a57-4d43-9c02-0f5b1b0b6a57  debian-…  active');
  });

  it('fields: a record as FIELD / VALUE, objects as JSON, null as empty', () => {
    expect(fields({ id: 'a', tags: ['x'], size: null })).toEqual([
      ['FIELD', 'VALUE'],
      ['id', 'a'],
      ['tags', '["x"]'],
      ['size', ''],
    ]);
  });
});
