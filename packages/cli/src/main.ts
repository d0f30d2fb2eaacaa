import { parseArgs, type ParseArgsConfig } from 'node:util';
import { configCheck } from './commands/config-check.js';
import { pluginsList } from './commands/plugins-list.js';
import { EXIT, processIo, reportError, UsageError, type Io } from './io.js';

export type { Io } from './io.js';

type Values = Record<string, string | boolean | string[] | undefined>;

interface Command {
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  positionals?: number;
  run(values: Values, positionals: string[], io: Io): Promise<number>;
}

const common = {
  'config-file': { type: 'string', multiple: true },
  root: { type: 'string' },
} as const;

const COMMANDS: Record<string, Command> = {
  'plugins list': {
    summary: 'List entry points (namespace, name, package, version, compatibility, load error)',
    options: { ...common, namespace: { type: 'string' }, json: { type: 'boolean' } },
    run: (v, _p, io) => pluginsList(v as Parameters<typeof pluginsList>[0], io),
  },
  'config check': {
    summary: 'Load the config, resolve image_import_plugins in order, print the import flow',
    options: { ...common, json: { type: 'boolean' } },
    run: (v, _p, io) => configCheck(v as Parameters<typeof configCheck>[0], io),
  },
};

function help(): string {
  return [
    'usage: glance-import <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`),
    '',
    'common options:',
    '  --config-file FILE   Glance-style INI file; repeat for several, later wins',
    '  --root DIR           host application root (where plugins are declared); default: cwd',
  ].join('\n');
}

/** Run the command line; returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  if (argv.length === 0) {
    io.err(`usage error: no command given\n\n${help()}`);
    return EXIT.usage;
  }
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(help());
    return EXIT.ok;
  }
  const key = [argv.slice(0, 2).join(' '), argv[0]!].find((k) => k in COMMANDS);
  if (!key) {
    io.err(`usage error: unknown command '${argv.slice(0, 2).join(' ')}'\n\n${help()}`);
    return EXIT.usage;
  }
  const command = COMMANDS[key]!;
  try {
    const rest = argv.slice(key.split(' ').length);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(help());
      return EXIT.ok;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: [...rest], options: command.options, allowPositionals: (command.positionals ?? 0) > 0, strict: true });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    return await command.run(parsed.values as Values, parsed.positionals, io);
  } catch (e) {
    return reportError(io, e);
  }
}
