import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { definePlugin, defineTask, FILE_PATH, linearFlow, opts } from '@glance-import/core';
import { describe, expect, it } from 'vitest';
import { runPlugin } from './run-plugin.js';

const fixture = (text: string) => {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'fx-')), 'in');
  writeFileSync(f, text);
  return f;
};

const upper = definePlugin({
  group: 'upper',
  options: {
    suffix: opts.option(opts.string(), { default: '.up', help: 'suffix of the output' }),
    tag: opts.option(opts.string(), { help: 'property to set' }),
  },
  getFlow: (ctx) =>
    linearFlow(
      'upper',
      {},
      defineTask<{ file_path: string }, string>({
        name: 'Upper',
        requires: [FILE_PATH],
        provides: FILE_PATH,
        async execute({ file_path }) {
          const out = file_path + ctx.options.suffix;
          const { readFile } = await import('node:fs/promises');
          await writeFile(out, (await readFile(file_path, 'utf8')).toUpperCase());
          if (ctx.options.tag) await ctx.image.setExtraProperties({ [ctx.options.tag]: 'yes', os_glance_evil: 'x' });
          await ctx.image.setAttributes({ size: 5 });
          return out;
        },
        async revert(_inputs, outcome) {
          if (outcome.kind === 'success') await rm(outcome.value, { force: true });
        },
      }),
    ),
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

describe('runPlugin refuses what the server refuses, and undoes what the server undoes', () => {
  const writes = (write: (ctx: Parameters<Parameters<typeof definePlugin>[0]['getFlow']>[0]) => Promise<void>) =>
    definePlugin({
      getFlow: (ctx) => linearFlow('writes', {}, defineTask({ name: 'Write', execute: () => write(ctx) })),
    });

  it.each([
    [
      'a number as a property value',
      writes((ctx) => ctx.image.setExtraProperties({ count: 5 } as unknown as Record<string, string>)),
      "An import task may not set the property 'count' to number 5: property values are strings.",
    ],
    [
      'a boolean as a property value',
      writes((ctx) => ctx.image.setExtraProperties({ ok: true } as unknown as Record<string, string>)),
      "An import task may not set the property 'ok' to boolean true: property values are strings.",
    ],
    [
      'min_ram',
      writes((ctx) => ctx.image.setAttributes({ min_ram: 512 } as never)),
      "An import task may not set the attribute 'min_ram': only status, disk_format, container_format, size, virtual_size can be set during an import.",
    ],
  ])('%s fails the run with GI_PLUGIN_BAD_IMAGE_CHANGE, as on the server', async (_what, plugin, message) => {
    const run = await runPlugin(plugin, { file: fixture('x') });
    expect(run.ok).toBe(false);
    expect(run.error?.failures[0]?.error).toMatchObject({ code: 'GI_PLUGIN_BAD_IMAGE_CHANGE', message });
    expect(run.changes).toEqual({});
    run.dispose();
  });

  it('after a failure, the properties a plugin without a revert wrote are put back, as the server puts them back', async () => {
    const run = await runPlugin(
      writes((ctx) => ctx.image.setExtraProperties({ added: 'x', changed: 'x' })),
      {
        file: fixture('x'),
        failAfter: true,
        image: { extraProperties: { changed: 'before' } },
      },
    );
    expect(run.changesBeforeUndo).toEqual({ 'properties.added': { from: undefined, to: 'x' }, 'properties.changed': { from: 'before', to: 'x' } });
    expect(run.changes).toEqual({});
    expect(run.image.extraProperties).toEqual({ changed: 'before' });
    run.dispose();
  });
});
