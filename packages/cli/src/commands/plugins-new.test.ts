import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { coreVersion } from '@glance-import/core';
import { afterAll, describe, expect, it } from 'vitest';
import { runMain } from '../host.fixture.js';

// The scaffold's own test runs in test/third-party-plugin.test.ts, installed from packed tarballs.

const work = mkdtempSync(path.join(tmpdir(), 'gi-cli-new-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (...argv: string[]) => runMain(argv);

describe('glance-import plugins new', () => {
  it('makes a plugin package: the entry point and core range in package.json, the plugin, its task, its test, a README', async () => {
    const dir = path.join(work, 'checksum-note');
    const r = await run('plugins', 'new', 'checksum_note', '--dir', dir);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.split('\n')[0]).toBe(`created glance-import-plugin-checksum-note in ${dir}:`);
    expect(readdirSync(dir).sort()).toEqual(['README.md', 'index.js', 'index.test.js', 'package.json', 'task.js']);
    const range = `^${coreVersion()}`;
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'))).toMatchObject({
      name: 'glance-import-plugin-checksum-note',
      type: 'module',
      files: ['index.js', 'task.js'],
      scripts: { test: 'node --test' },
      entryPoints: { 'glance.image_import.plugins': { checksum_note: './index.js:getFlow' } },
      peerDependencies: { '@glance-import/core': range },
      devDependencies: { '@glance-import/core': range, '@glance-import/testing': range },
    });
    for (const f of ['index.js', 'task.js', 'index.test.js']) execFileSync(process.execPath, ['--check', path.join(dir, f)]);
    expect(readFileSync(path.join(dir, 'task.js'), 'utf8')).toContain("name: 'ChecksumNoteTask'");
    expect(readFileSync(path.join(dir, 'index.test.js'), 'utf8')).toContain("from '@glance-import/testing'");
  });

  it('the folder defaults to ./glance-import-plugin-NAME; --package names the package', async () => {
    const cwd = process.cwd();
    process.chdir(work);
    try {
      expect((await run('plugins', 'new', 'tagger', '--package', '@acme/glance-tagger')).code).toBe(0);
      expect(JSON.parse(readFileSync(path.join(work, 'glance-tagger', 'package.json'), 'utf8')).name).toBe('@acme/glance-tagger');
      expect((await run('plugins', 'new', 'plain')).code).toBe(0);
      expect(readdirSync(path.join(work, 'glance-import-plugin-plain'))).toContain('index.js');
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses a name operators could not write, and a folder that is not empty, writing nothing', async () => {
    expect(await run('plugins', 'new', 'Raw-Padding')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^usage error: 'Raw-Padding' cannot be an entry-point name: /),
    });
    const taken = path.join(work, 'taken');
    mkdirSync(taken);
    writeFileSync(path.join(taken, 'keep.txt'), 'mine');
    const r = await run('plugins', 'new', 'taken', '--dir', taken);
    expect(r).toMatchObject({
      code: 1,
      stderr: `error GI_CLI_TARGET_EXISTS: ${taken} already exists and is not empty.\n  hint: Choose another NAME or --dir; nothing was written.\n`,
    });
    expect(readdirSync(taken)).toEqual(['keep.txt']);
  });
});
