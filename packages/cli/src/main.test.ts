import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands.js';
import { runMain } from './host.fixture.js';
import { cliVersion } from './version.js';

const run = (...argv: string[]) => runMain(argv);

describe('glance-import (main)', () => {
  it('--help lists every command and the common options on stdout, exit 0', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await run(...argv);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^usage: glance-import <command> \[options\]\n/);
      for (const c of COMMANDS) expect(r.stdout).toContain(`\n  ${c.name.padEnd(16)} ${c.summary}\n`);
      expect(r.stdout).toContain('  plugins list     List entry points');
      expect(r.stdout).toContain('--config-file FILE');
    }
  });

  it('every command has its own --help: usage line, summary, each option with its help', async () => {
    for (const c of COMMANDS) {
      for (const argv of [
        [...c.name.split(' '), '--help'],
        [...c.name.split(' '), '-h'],
        ['help', ...c.name.split(' ')],
      ]) {
        const r = await run(...argv);
        expect(r, argv.join(' ')).toMatchObject({ code: 0, stderr: '' });
        expect(r.stdout.split('\n')[0]).toBe(
          `usage: glance-import ${c.name} [options]${(c.positionals ?? []).map((p) => (p.optional ? ` [${p.name}]` : ` ${p.name}`)).join('')}`,
        );
        expect(r.stdout).toContain(`\n${c.summary}\n`);
        for (const [name, o] of Object.entries(c.options))
          expect(r.stdout, `${c.name} --${name}`).toMatch(
            new RegExp(`\\n  --${name}\\b[^\\n]*(\\n +)?${o.help.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
          );
      }
    }
    const serve = await run('serve', '--help');
    expect(serve.stdout).toContain('  --config-file FILE');
    expect(serve.stdout).toContain('(repeatable)');
    expect(serve.stdout).toContain('  --log-level LEVEL');
  });

  it('--version prints the version of the command', async () => {
    for (const flag of ['--version', '-V']) expect(await run(flag)).toEqual({ code: 0, stdout: `glance-import ${cliVersion}\n`, stderr: '' });
    expect(cliVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [[], 'usage error: no command given'],
    [['serve-all'], "usage error: unknown command 'serve-all'. Did you mean 'serve'? See 'glance-import --help'."],
    [['plugins'], "usage error: unknown command 'plugins'. Did you mean 'plugins list', 'plugins new'?"],
    [['image', 'lst'], "usage error: unknown command 'image lst'. Did you mean 'image list'"],
    [['tokn', 'create'], "usage error: unknown command 'tokn create'. Did you mean 'token create'"],
    [['config', 'check', '--bogus'], "usage error: Unknown option '--bogus' for 'config check'. See 'glance-import config check --help'."],
    [['config', 'check', '--jsn'], "usage error: Unknown option '--jsn' for 'config check'. Did you mean '--json'? See 'glance-import config check --help'."],
    [['serve', '--data-dri', 'x'], "usage error: Unknown option '--data-dri' for 'serve'. Did you mean '--data-dir'?"],
    [['plugins', 'list', '--namespace'], "usage error: Option '--namespace <value>' argument missing"],
    [['plugins', 'list', 'extra'], "usage error: Unexpected argument 'extra'. See 'glance-import plugins list --help'."],
    [['image', 'show'], "usage error: image show needs ID. See 'glance-import image show --help'."],
    [['config', 'check', '--json=yes'], "usage error: Option '--json' does not take an argument"],
    [['serve', '--log-level', 'loud'], "usage error: --log-level must be one of trace, debug, info, warn, error, fatal, silent, got 'loud'"],
  ])('%j is a usage error: exit 2 and a message on stderr', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toContain(message);
  });
});
