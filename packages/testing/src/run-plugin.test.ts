import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { definePlugin, defineTask, FILE_PATH, linearFlow, opts } from '@glance-import/core';
import { describe, expect, it } from 'vitest';
import { runPlugin } from './run-plugin.js';

const fixture = (text: string) => { const f = path.join(mkdtempSync(path.join(tmpdir(), 'fx-')), 'in'); writeFileSync(f, text); return f; };

const upper = definePlugin({
  group: 'upper',
  options: { suffix: opts.option(opts.string(), { default: '.up', help: 'suffix of the output' }), tag: opts.option(opts.string(), { help: 'property to set' }) },
  getFlow: (ctx) => linearFlow('upper', {}, defineTask<{ file_path: string }, string>({
    name: 'Upper', requires: [FILE_PATH], provides: FILE_PATH,
    async execute({ file_path }) {
      const out = file_path + ctx.options.suffix;
      const { readFile } = await import('node:fs/promises');
      await writeFile(out, (await readFile(file_path, 'utf8')).toUpperCase());
      if (ctx.options.tag) await ctx.image.setExtraProperties({ [ctx.options.tag]: 'yes', os_glance_evil: 'x' });
      await ctx.image.setAttributes({ size: 5 });
      return out;
    },
    async revert(_inputs, outcome) { if (outcome.kind === 'success') await rm(outcome.value, { force: true }); },
  })),
});

describe('runPlugin', () => {
  it('runs the flow on a staged copy and reports what it provided and changed', async () => {
    const run = await runPlugin(upper, { file: fixture('hello'), options: { tag: 'shouted' } });
    expect(run.ok).toBe(true);
    expect(run.filePath.endsWith('.up')).toBe(true);
    expect(run.readData().toString()).toBe('HELLO');
    expect(run.changes).toEqual({ size: { from: null, to: 5 }, 'properties.shouted': { from: undefined, to: 'yes' } });
    expect(run.logs.some((l) => l.level === 'warn' && l.msg.includes('os_glance_evil'))).toBe(true);
  });

  it('validates options against the schema the plugin exports', async () => {
    await expect(runPlugin(upper, { file: fixture('x'), options: { nope: 1 } })).rejects.toMatchObject({ code: 'GI_CONFIG_UNKNOWN_OPTION' });
  });

  it('shows reverts when a later task fails', async () => {
    const run = await runPlugin(upper, { file: fixture('x'), failAfter: true });
    expect(run.ok).toBe(false);
    expect(run.reverted).toEqual(['FailAfter', 'Upper', 'VerifyStaging']);
    expect(existsSync(path.join(run.stagingDir, `${run.image.id}.up`))).toBe(false);
    run.dispose();
    expect(existsSync(run.stagingDir)).toBe(false);
  });
});
