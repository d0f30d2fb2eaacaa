import { parseArgs, type ParseArgsConfig } from 'node:util';
import { configCheck } from './commands/config-check.js';
import { imageImport } from './commands/image-import.js';
import { dbSync } from './commands/db-sync.js';
import { dbVersion } from './commands/db-version.js';
import { serve } from './commands/serve.js';
import { tokenCreate } from './commands/token-create.js';
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
  serve: {
    summary: 'Serve the Image API (database from [database] connection, else SQLite under --data-dir)',
    options: { ...common, 'data-dir': { type: 'string' }, host: { type: 'string' }, port: { type: 'string' } },
    run: (v, _p, io) => serve(v as Parameters<typeof serve>[0], io),
  },
  'token create': {
    summary: 'Create a token in the database; prints only the token',
    options: { ...common, 'data-dir': { type: 'string' }, user: { type: 'string' }, project: { type: 'string' }, roles: { type: 'string' }, description: { type: 'string' } },
    run: (v, _p, io) => tokenCreate(v as Parameters<typeof tokenCreate>[0], io),
  },
  'image import': {
    summary: 'Create an image from FILE, stage it and import it (progress with --wait)',
    options: {
      name: { type: 'string' }, 'disk-format': { type: 'string' }, 'container-format': { type: 'string' }, method: { type: 'string' },
      wait: { type: 'boolean' }, endpoint: { type: 'string' }, token: { type: 'string' }, 'poll-interval': { type: 'string' },
    },
    positionals: 1,
    run: (v, p, io) => imageImport(v as Parameters<typeof imageImport>[0], p, io),
  },
  'db sync': {
    summary: 'Create or upgrade the database schema (as glance-manage db_sync)',
    options: { ...common, 'data-dir': { type: 'string' } },
    run: (v, _p, io) => dbSync(v as Parameters<typeof dbSync>[0], io),
  },
  'db version': {
    summary: 'Print the schema version of the database',
    options: { ...common, 'data-dir': { type: 'string' } },
    run: (v, _p, io) => dbVersion(v as Parameters<typeof dbVersion>[0], io),
  },
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
