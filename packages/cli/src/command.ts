import type { Io } from './io.js';

/** What the shell completes for a value: file names, directory names, or these words. */
export type Completion = 'file' | 'dir' | readonly string[];

/** One option of a command: what `parseArgs` needs, and what `--help` and shell completion show. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  /** The value's name in help (`--port N`). */
  readonly value?: string;
  readonly help: string;
  readonly complete?: Completion;
}

export interface Positional {
  readonly name: string;
  readonly help: string;
  readonly optional?: boolean;
  readonly complete?: Completion;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

/** A command of `glance-import`: its words, help, options, and what it runs. One per file in commands/. */
export interface Command {
  /** The words that call it: 'serve', 'image list'. */
  readonly name: string;
  /** One line, in the command list. */
  readonly summary: string;
  /** More, in the command's own --help. */
  readonly description?: string;
  readonly positionals?: readonly Positional[];
  readonly options: Readonly<Record<string, OptionSpec>>;
  run(values: Values, positionals: string[], io: Io): Promise<number>;
}

/** `--config-file` and `--root`: where every command that reads the config finds it. */
export const configOptions = {
  'config-file': {
    type: 'string',
    multiple: true,
    value: 'FILE',
    help: 'Glance-style INI file (glance-api.conf, glance-image-import.conf); repeat for several, later wins',
    complete: 'file',
  },
  root: { type: 'string', value: 'DIR', help: 'host application root, where plugins are declared (default: the nearest package.json)', complete: 'dir' },
} as const satisfies Record<string, OptionSpec>;

/** What the commands of the service (serve, token, db) take: the config, and the data dir. */
export const serviceOptions = {
  ...configOptions,
  'data-dir': {
    type: 'string',
    value: 'DIR',
    help: 'node-local data: SQLite database (unless [database] connection), staging, file stores, admin-token (default: ./data)',
    complete: 'dir',
  },
} as const satisfies Record<string, OptionSpec>;

/** Where the commands that call the Image API send their calls. */
export const apiOptions = {
  endpoint: { type: 'string', value: 'URL', help: 'the Image API, e.g. http://127.0.0.1:9292 (default: $OS_IMAGE_URL)' },
  token: { type: 'string', value: 'TOKEN', help: 'the token sent as X-Auth-Token (default: $OS_AUTH_TOKEN)' },
} as const satisfies Record<string, OptionSpec>;

export const jsonOption = {
  json: { type: 'boolean', help: 'print JSON (for scripts) instead of a table' },
} as const satisfies Record<string, OptionSpec>;
