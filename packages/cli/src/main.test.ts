import { describe, expect, it } from 'vitest';
import { main } from './main.js';
import { bufferIo } from './host.fixture.js';

const run = async (...argv: string[]) => {
  const io = bufferIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

describe('glance-import (main)', () => {
  it('--help prints the commands and common options on stdout and exits 0, also after a command', async () => {
    for (const argv of [['--help'], ['-h'], ['help'], ['config', 'check', '--help'], ['plugins', 'list', '-h']]) {
      const r = await run(...argv);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^usage: glance-import <command> \[options\]\n/);
      expect(r.stdout).toContain('  plugins list     List entry points');
      expect(r.stdout).toContain('  config check     Load the config');
      expect(r.stdout).toContain('--config-file FILE');
    }
  });

  it.each([
    [[], 'usage error: no command given'],
    [['serve-all'], "usage error: unknown command 'serve-all'"],
    [['plugins'], "usage error: unknown command 'plugins'"],
    [['config', 'check', '--bogus'], "usage error: Unknown option '--bogus'"],
    [['plugins', 'list', '--namespace'], "usage error: Option '--namespace <value>' argument missing"],
    [['plugins', 'list', 'extra'], "usage error: Unexpected argument 'extra'"],
    [['config', 'check', '--json=yes'], "usage error: Option '--json' does not take an argument"],
  ])('%j is a usage error: exit 2 and a message on stderr', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toContain(message);
  });
});
