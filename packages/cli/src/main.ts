import { parseArgs, type ParseArgsConfig } from 'node:util';
import { didYouMean, suggest } from '@glance-import/core';
import type { Command } from './command.js';
import { COMMANDS } from './commands.js';
import { commandHelp, globalHelp } from './help.js';
import { EXIT, processIo, reportError, UsageError, type Io } from './io.js';
import { cliVersion } from './version.js';

export type { Io } from './io.js';

const HELP = new Set(['--help', '-h']);

/** The command `argv` names (two words, else one), and the words after it. */
function findCommand(argv: readonly string[]): { command: Command; rest: string[] } {
  for (const words of [2, 1]) {
    const command = COMMANDS.find((c) => c.name === argv.slice(0, words).join(' '));
    if (command) return { command, rest: argv.slice(words) };
  }
  const given = argv[1] && !argv[1].startsWith('-') ? argv.slice(0, 2).join(' ') : argv[0]!;
  const names = COMMANDS.map((c) => c.name);
  // 'image' alone, or 'image lst': the commands starting with that word, else the closest names.
  const group = names.filter((n) => n.startsWith(`${argv[0]} `));
  const close = suggest(given, names);
  const meant = given === argv[0] && group.length ? group : close.length ? close : group;
  throw new UsageError(`unknown command '${given}'.${didYouMean(meant)} See 'glance-import --help'.`);
}

/** parseArgs' refusals, with the option meant and where to read about the command's options. */
function parse(command: Command, rest: string[]) {
  try {
    return parseArgs({ args: rest, options: command.options as ParseArgsConfig['options'], allowPositionals: true, strict: true });
  } catch (e) {
    const message = (e as Error).message;
    const unknown = /^Unknown option '(-{1,2}[^']*)'/.exec(message)?.[1];
    const more = `See 'glance-import ${command.name} --help'.`;
    if (unknown) {
      const known = Object.keys(command.options).map((o) => `--${o}`);
      throw new UsageError(`Unknown option '${unknown}' for '${command.name}'.${didYouMean(suggest(unknown.split('=')[0]!, known))} ${more}`);
    }
    throw new UsageError(`${message.split('. To specify')[0]!.replace(/\.$/, '')}. ${more}`);
  }
}

/** Positionals: as many as the command takes, the optional ones may be left out. */
function checkPositionals(command: Command, given: string[]): void {
  const takes = command.positionals ?? [];
  const needed = takes.filter((p) => !p.optional).length;
  const extra = given[takes.length];
  if (extra !== undefined) throw new UsageError(`Unexpected argument '${extra}'. See 'glance-import ${command.name} --help'.`);
  if (given.length < needed)
    throw new UsageError(
      `${command.name} needs ${takes
        .slice(given.length, needed)
        .map((p) => p.name)
        .join(' ')}. See 'glance-import ${command.name} --help'.`,
    );
}

/** Run the command line; returns the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  try {
    if (argv.length === 0) {
      io.err(`usage error: no command given\n\n${globalHelp(COMMANDS)}`);
      return EXIT.usage;
    }
    if (argv[0] === '--version' || argv[0] === '-V') {
      io.out(`glance-import ${cliVersion}`);
      return EXIT.ok;
    }
    if (HELP.has(argv[0]!) || argv[0] === 'help') {
      const named = argv.length > 1 ? findCommand(argv.slice(1)).command : undefined;
      io.out(named ? commandHelp(named) : globalHelp(COMMANDS));
      return EXIT.ok;
    }
    const { command, rest } = findCommand(argv);
    if (rest.some((a) => HELP.has(a))) {
      io.out(commandHelp(command));
      return EXIT.ok;
    }
    const parsed = parse(command, rest);
    checkPositionals(command, parsed.positionals);
    return await command.run(parsed.values, parsed.positionals, io);
  } catch (e) {
    return reportError(io, e);
  }
}
