import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { coreVersion } from '@glance-import/core';
import type { Command } from '../command.js';
import { cliError } from '../errors.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { pluginFiles } from '../plugin-template.js';

export interface PluginsNewArgs {
  dir?: string;
  package?: string;
}

/** Entry-point names are what operators write in image_import_plugins: Glance's are snake_case words. */
const NAME = /^[a-z][a-z0-9_]*$/;

/** `^0.2.0`: the core line this CLI runs (a 0.x minor release may change the plugin contract). */
const coreRange = () => `^${coreVersion().replace(/-.*$/, '')}`;

/**
 * `glance-import plugins new NAME`: a plugin package to start from, in DIR (default
 * ./glance-import-plugin-NAME): package.json with the entry point and the core range, index.js
 * (the plugin), task.js (its task, with a revert), index.test.js (@glance-import/testing) and a README.
 */
export async function pluginsNew(args: PluginsNewArgs, positionals: string[], io: Io): Promise<number> {
  const name = positionals[0]!;
  if (!NAME.test(name))
    throw new UsageError(`'${name}' cannot be an entry-point name: use lower-case letters, digits and _ (e.g. raw_padding), starting with a letter`);
  const packageName = args.package ?? `glance-import-plugin-${name.replace(/_/g, '-')}`;
  const dir = path.resolve(args.dir ?? packageName.replace(/^@[^/]+\//, ''));
  if (existsSync(dir) && readdirSync(dir).length > 0) throw cliError('GI_CLI_TARGET_EXISTS', { dir });
  mkdirSync(dir, { recursive: true });
  const files = pluginFiles({ name, packageName, coreRange: coreRange() });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  io.out(
    [
      `created ${packageName} in ${dir}:`,
      ...Object.keys(files).map((f) => `  ${f}`),
      'next:',
      `  cd ${path.relative(process.cwd(), dir) || '.'} && npm install && npm test`,
      '  then see docs/plugin-authors.md: publish it (or npm pack it) and install it in the host app',
    ].join('\n'),
  );
  return EXIT.ok;
}

export const pluginsNewCommand: Command = {
  name: 'plugins new',
  summary: 'Create a plugin package to start from: entry point, a task with its revert, a test',
  positionals: [{ name: 'NAME', help: 'the entry-point name operators write in image_import_plugins (snake_case)' }],
  options: {
    dir: { type: 'string', value: 'DIR', help: 'where to create it (default: ./glance-import-plugin-NAME); must be empty or absent', complete: 'dir' },
    package: { type: 'string', value: 'NAME', help: 'npm package name (default: glance-import-plugin-NAME)' },
  },
  run: (v, p, io) => pluginsNew(v as PluginsNewArgs, p, io),
};
