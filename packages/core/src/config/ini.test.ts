import { describe, expect, it } from 'vitest';
import { parseIni } from './ini.js';

describe('parseIni', () => {
  it('reads groups, comments, both separators and continuation lines', () => {
    const entries = parseIni(
      [
        'bind_port = 9292',
        '[image_import_opts]',
        '# a comment',
        "image_import_plugins = ['no_op',",
        "    'image_conversion']",
        '; another comment',
        '[taskflow_executor]',
        'engine_mode: serial',
      ].join('\n'),
      'x.conf',
    );
    expect(entries).toEqual([
      { group: 'DEFAULT', option: 'bind_port', value: '9292', line: 1 },
      { group: 'image_import_opts', option: 'image_import_plugins', value: "['no_op',\n'image_conversion']", line: 4 },
      { group: 'taskflow_executor', option: 'engine_mode', value: 'serial', line: 8 },
    ]);
  });

  it('names file and line of a syntax error', () => {
    expect(() => parseIni('[DEFAULT]\nthis is not an option\n', 'glance-api.conf')).toThrow(
      expect.objectContaining({ code: 'GI_CONFIG_PARSE', message: expect.stringContaining('glance-api.conf:2') }),
    );
  });
});
