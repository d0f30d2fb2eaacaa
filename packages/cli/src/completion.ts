import type { Command, Completion } from './command.js';

/**
 * Shell completion scripts made from the command list itself, so a new command or option completes
 * without anyone editing a script: command words, each command's options, and option values and
 * positionals that are files, directories or a fixed set of words.
 */

type Case = { pattern: string; completion: Completion | undefined };

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The command, as the shell sees it: `${w1}` for one-word commands, `${w1} ${w2}` for two. */
const commandKey = (c: Command) => c.name;

function shape(commands: readonly Command[]) {
  const first = [...new Set(commands.map((c) => c.name.split(' ')[0]!))];
  const second = first
    .map((w) => [w, commands.filter((c) => c.name.startsWith(`${w} `)).map((c) => c.name.split(' ')[1]!)] as const)
    .filter(([, s]) => s.length);
  const values: Case[] = commands.flatMap((c) =>
    Object.entries(c.options)
      .filter(([, o]) => o.type === 'string')
      .map(([name, o]) => ({ pattern: `${commandKey(c)}|--${name}`, completion: o.complete })),
  );
  const options = commands.map((c) => [commandKey(c), [...Object.keys(c.options).map((o) => `--${o}`), '--help'].join(' ')] as const);
  const positionals = commands.filter((c) => c.positionals?.[0]?.complete).map((c) => ({ pattern: commandKey(c), completion: c.positionals![0]!.complete }));
  return { first: [...first, '--help', '--version'], second, values, options, positionals };
}

function bashComplete(completion: Completion | undefined): string {
  if (completion === 'file') return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))';
  if (completion === 'dir') return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur"))';
  if (completion) return `COMPREPLY=($(compgen -W ${q(completion.join(' '))} -- "$cur"))`;
  return 'COMPREPLY=()';
}

export function bashCompletion(commands: readonly Command[]): string {
  const s = shape(commands);
  return `# bash completion for glance-import: source <(glance-import completion bash)
_glance_import() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd opts
  COMPREPLY=()
  if ((COMP_CWORD == 1)); then
    COMPREPLY=($(compgen -W ${q(s.first.join(' '))} -- "$cur")); return 0
  fi
  case \${COMP_WORDS[1]} in
${s.second
  .map(
    ([w, subs]) => `    ${q(w)})
      if ((COMP_CWORD == 2)); then COMPREPLY=($(compgen -W ${q(subs.join(' '))} -- "$cur")); return 0; fi
      cmd="\${COMP_WORDS[1]} \${COMP_WORDS[2]}" ;;`,
  )
  .join('\n')}
    *) cmd=\${COMP_WORDS[1]} ;;
  esac
  case "$cmd|$prev" in
${s.values.map((v) => `    ${q(v.pattern)}) ${bashComplete(v.completion)}; return 0 ;;`).join('\n')}
  esac
  case $cmd in
${s.options.map(([c, o]) => `    ${q(c)}) opts=${q(o)} ;;`).join('\n')}
    *) return 0 ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur")); return 0
  fi
  case $cmd in
${s.positionals.map((p) => `    ${q(p.pattern)}) ${bashComplete(p.completion)} ;;`).join('\n')}
  esac
  return 0
}
complete -F _glance_import glance-import
`;
}

function zshComplete(completion: Completion | undefined): string {
  if (completion === 'file') return '_files';
  if (completion === 'dir') return '_files -/';
  if (completion) return `compadd -- ${completion.map(q).join(' ')}`;
  return ':';
}

export function zshCompletion(commands: readonly Command[]): string {
  const s = shape(commands);
  return `#compdef glance-import
# zsh completion for glance-import: source <(glance-import completion zsh) after compinit,
# or save it as _glance-import in a directory of $fpath.
_glance_import() {
  local cur=\${words[CURRENT]} prev=\${words[CURRENT-1]} cmd opts
  if ((CURRENT == 2)); then
    compadd -- ${s.first.map(q).join(' ')}; return
  fi
  case \${words[2]} in
${s.second
  .map(
    ([w, subs]) => `    ${q(w)})
      if ((CURRENT == 3)); then compadd -- ${subs.map(q).join(' ')}; return; fi
      cmd="\${words[2]} \${words[3]}" ;;`,
  )
  .join('\n')}
    *) cmd=\${words[2]} ;;
  esac
  case "$cmd|$prev" in
${s.values.map((v) => `    ${q(v.pattern)}) ${zshComplete(v.completion)}; return ;;`).join('\n')}
  esac
  case $cmd in
${s.options.map(([c, o]) => `    ${q(c)}) opts=(${o}) ;;`).join('\n')}
    *) return ;;
  esac
  if [[ $cur == -* ]]; then
    compadd -- $opts; return
  fi
  case $cmd in
${s.positionals.map((p) => `    ${q(p.pattern)}) ${zshComplete(p.completion)} ;;`).join('\n')}
  esac
}
if (( $+functions[compdef] )); then compdef _glance_import glance-import; fi
`;
}
