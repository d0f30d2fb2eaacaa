import { giError } from '../errors.js';

export interface IniEntry {
  group: string;
  option: string;
  value: string;
  line: number;
}

/**
 * Parse oslo.config INI text: `[group]` headers, `name = value` (or `name: value`), `#`/`;`
 * comments, and indented continuation lines appended to the previous value. Options before the
 * first header belong to DEFAULT, as oslo treats them.
 */
export function parseIni(text: string, file: string): IniEntry[] {
  const entries: IniEntry[] = [];
  let group = 'DEFAULT';
  let last: IniEntry | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (/^\s*([#;].*)?$/.test(raw)) {
      last = undefined;
      return;
    }
    if (/^\s/.test(raw) && last) {
      last.value = `${last.value}\n${raw.trim()}`;
      return;
    }
    const header = /^\s*\[([^\]]*)\]\s*$/.exec(raw);
    if (header) {
      group = header[1]!.trim();
      if (!group) throw giError('GI_CONFIG_PARSE', { file, line, reason: 'empty group name' });
      last = undefined;
      return;
    }
    const kv = /^\s*([^=:\s][^=:]*?)\s*[=:]\s*(.*?)\s*$/.exec(raw);
    if (!kv) throw giError('GI_CONFIG_PARSE', { file, line, reason: `expected '[group]' or 'name = value', got '${raw.trim()}'` });
    last = { group, option: kv[1]!, value: kv[2]!, line };
    entries.push(last);
  });
  return entries;
}
