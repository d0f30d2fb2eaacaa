import type { Command } from '../command.js';
import { COMMANDS } from '../commands.js';
import { bashCompletion, zshCompletion } from '../completion.js';
import { EXIT, UsageError, type Io } from '../io.js';

const SHELLS: Record<string, (commands: readonly Command[]) => string> = { bash: bashCompletion, zsh: zshCompletion };

/** `glance-import completion bash|zsh`: the shell's completion script, on stdout. */
export async function completion(positionals: string[], io: Io): Promise<number> {
  const make = SHELLS[positionals[0]!];
  if (!make) throw new UsageError(`completion takes one of ${Object.keys(SHELLS).join(', ')}, got '${positionals[0]}'`);
  io.out(make(COMMANDS));
  return EXIT.ok;
}

export const completionCommand: Command = {
  name: 'completion',
  summary: 'Print the shell completion script for bash or zsh',
  description: [
    'bash:  source <(glance-import completion bash)      (or save it in /etc/bash_completion.d/glance-import)',
    'zsh:   source <(glance-import completion zsh)       (after compinit; or save it as _glance-import in $fpath)',
  ].join('\n'),
  positionals: [{ name: 'SHELL', help: 'bash or zsh', complete: Object.keys(SHELLS) }],
  options: {},
  run: (_v, p, io) => completion(p, io),
};
