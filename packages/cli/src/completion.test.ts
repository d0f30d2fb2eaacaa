import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMANDS } from './commands.js';
import { main } from './main.js';
import { bufferIo } from './host.fixture.js';

// The script as `glance-import completion bash` prints it, sourced into a real bash, which is asked
// what it completes for a command line, as it would be at a TAB.

const dir = mkdtempSync(path.join(tmpdir(), 'gi-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(path.join(dir, 'disks'));
writeFileSync(path.join(dir, 'disk.qcow2'), '');
writeFileSync(path.join(dir, 'dist.raw'), '');

async function script(shell: string): Promise<string> {
  const io = bufferIo();
  expect(await main(['completion', shell], io)).toBe(0);
  return io.stdout();
}

/** What bash completes for `words` (the last one being typed). */
async function complete(...words: string[]): Promise<string[]> {
  const file = path.join(dir, 'glance-import.bash');
  writeFileSync(file, await script('bash'));
  const line = ['glance-import', ...words].map((w) => `'${w}'`).join(' ');
  const out = execFileSync(
    'bash',
    ['-c', `source ${file}; COMP_WORDS=(${line}); COMP_CWORD=${words.length}; _glance_import; printf '%s\\n' "\${COMPREPLY[@]}"`],
    { cwd: dir, encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean).sort();
}

describe('glance-import completion bash', () => {
  it('registers _glance_import for glance-import', async () => {
    const file = path.join(dir, 'registered.bash');
    writeFileSync(file, await script('bash'));
    expect(execFileSync('bash', ['-c', `source ${file}; complete -p glance-import`], { encoding: 'utf8' })).toBe('complete -F _glance_import glance-import\n');
  });

  it('completes command words, first and second', async () => {
    expect(await complete('')).toEqual(['--help', '--version', ...new Set(COMMANDS.map((c) => c.name.split(' ')[0]!))].sort());
    expect(await complete('im')).toEqual(['image']);
    expect(await complete('image', '')).toEqual(['delete', 'import', 'list', 'show']);
    expect(await complete('token', 'r')).toEqual(['revoke']);
  });

  it("completes a command's options, and the values of those that have a set of values", async () => {
    expect(await complete('serve', '--lo')).toEqual(['--log-level']);
    expect(await complete('serve', '--log-level', 'd')).toEqual(['debug']);
    expect(await complete('image', 'import', '--disk-format', 'q')).toEqual(['qcow2']);
    expect(await complete('image', 'list', '--')).toEqual(['--endpoint', '--help', '--json', '--limit', '--status', '--token']);
    expect(await complete('completion', '')).toEqual(['bash', 'zsh']);
  });

  it('completes files and directories where a command takes them', async () => {
    expect(await complete('image', 'import', 'dis')).toEqual(['disk.qcow2', 'disks', 'dist.raw']);
    expect(await complete('serve', '--data-dir', 'dis')).toEqual(['disks']);
    expect(await complete('config', 'check', '--config-file', 'dist')).toEqual(['dist.raw']);
    expect(await complete('serve', '--port', '')).toEqual([]);
  });
});

/**
 * What the zsh function offers for `words`: zsh runs it with compadd and _files standing in for the
 * completion system's own (they exist only inside a completion widget), printing what they are given.
 */
async function completeZsh(...words: string[]): Promise<string[]> {
  const file = path.join(dir, 'glance-import.zsh');
  writeFileSync(file, await script('zsh'));
  const line = ['glance-import', ...words].map((w) => `'${w}'`).join(' ');
  const stubs = 'compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }; _files() { print -r -- "_files $*"; }';
  const out = execFileSync('zsh', ['-fc', `${stubs}; source ${file}; words=(${line}); CURRENT=${words.length + 1}; cur=\${words[CURRENT]}; _glance_import`], {
    cwd: dir,
    encoding: 'utf8',
  });
  return out.split('\n').filter(Boolean).sort();
}

describe('glance-import completion zsh', () => {
  it('offers what bash completes: command words, options, values, files', async () => {
    expect(await completeZsh('')).toEqual(['--help', '--version', ...new Set(COMMANDS.map((c) => c.name.split(' ')[0]!))].sort());
    expect(await completeZsh('image', '')).toEqual(['delete', 'import', 'list', 'show']);
    expect(await completeZsh('serve', '--log-level', '')).toEqual(['debug', 'error', 'fatal', 'info', 'silent', 'trace', 'warn']);
    expect(await completeZsh('image', 'list', '--')).toEqual(['--endpoint', '--help', '--json', '--limit', '--status', '--token']);
    expect(await completeZsh('image', 'import', '')).toEqual(['_files ']);
    expect(await completeZsh('serve', '--data-dir', '')).toEqual(['_files -/']);
  });

  it('is a #compdef function for glance-import with the same words, options and values', async () => {
    const zsh = await script('zsh');
    expect(zsh.split('\n')[0]).toBe('#compdef glance-import');
    expect(zsh).toContain("compadd -- 'serve' 'token' 'image' 'task' 'db' 'plugins' 'config' 'completion' '--help' '--version'");
    expect(zsh).toContain("'image')\n      if ((CURRENT == 3)); then compadd -- 'import' 'list' 'show' 'delete'; return; fi");
    expect(zsh).toContain("'serve|--log-level') compadd -- 'trace' 'debug' 'info' 'warn' 'error' 'fatal' 'silent'; return ;;");
    expect(zsh).toContain("'serve|--data-dir') _files -/; return ;;");
    expect(zsh).toContain("'image import') _files ;;");
    expect(zsh).toContain('compdef _glance_import glance-import');
  });

  it('any other shell is a usage error', async () => {
    const io = bufferIo();
    expect(await main(['completion', 'fish'], io)).toBe(2);
    expect(io.stderr()).toBe("usage error: completion takes one of bash, zsh, got 'fish'\n");
  });
});
