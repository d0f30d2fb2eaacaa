import type { Command, OptionSpec } from './command.js';

const flag = (name: string, o: OptionSpec) => `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;

/** The first line of a command's help: its words, options, positionals. */
export function usageLine(c: Command): string {
  const words = (c.positionals ?? []).map((p) => (p.optional ? `[${p.name}]` : p.name));
  return ['usage: glance-import', c.name, '[options]', ...words].join(' ');
}

/** `glance-import COMMAND --help`. */
export function commandHelp(c: Command): string {
  const rows: Array<[string, string]> = [
    ...(c.positionals ?? []).map((p) => [p.name, p.help] as [string, string]),
    ...Object.entries(c.options).map(([name, o]) => [flag(name, o), `${o.help}${o.multiple ? ' (repeatable)' : ''}`] as [string, string]),
    ['--help', 'show this help'],
  ];
  const width = Math.min(32, Math.max(...rows.map(([k]) => k.length)));
  return [
    usageLine(c),
    '',
    c.summary,
    ...(c.description ? ['', c.description] : []),
    '',
    'arguments and options:',
    ...rows.map(([k, h]) => (k.length > width ? `  ${k}\n  ${''.padEnd(width)}  ${h}` : `  ${k.padEnd(width)}  ${h}`)),
  ].join('\n');
}

/** `glance-import --help`. */
export function globalHelp(commands: readonly Command[]): string {
  return [
    'usage: glance-import <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(16)} ${c.summary}`),
    '',
    'common options:',
    '  --config-file FILE   Glance-style INI file; repeat for several, later wins',
    '  --root DIR           host application root (where plugins are declared); default: the nearest package.json',
    '  --help               help of a command: glance-import <command> --help',
    '  --version            print the version',
    '',
    'Exit codes: 0 ok, 1 failed (error GI_CODE: message, then a hint, on stderr), 2 usage error.',
  ].join('\n');
}
