import { definePlugin, defineTask, linearFlow, type ImportContext } from '@glance-import/core';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../testing/harness.fixture.js';

// What a plugin writes to the image through ctx.image: checked as @glance-import/testing checks it,
// and put back by the import when it fails, whether or not the plugin reverts.

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const octet = { 'content-type': 'application/octet-stream' };

/** A plugin whose one task runs `write` and has no revert, and one that always fails after it. */
const writer = (write: (ctx: ImportContext) => Promise<void>) =>
  definePlugin({
    getFlow: (ctx) => linearFlow('writer', {}, defineTask({ name: 'Write', execute: () => write(ctx) })),
  });
const breaker = definePlugin({
  getFlow: () =>
    linearFlow(
      'breaker',
      {},
      defineTask({
        name: 'Break',
        execute: () => {
          throw new Error('the disk is not bootable');
        },
      }),
    ),
});
const badRevert = definePlugin({
  getFlow: () =>
    linearFlow(
      'bad_revert',
      {},
      defineTask({
        name: 'BadRevert',
        execute: () => {},
        revert: () => {
          throw new Error('cannot revert');
        },
      }),
    ),
});

async function importWith(
  write: (ctx: ImportContext) => Promise<void>,
  o: { fail?: boolean; chain?: string[]; ini?: Record<string, Record<string, unknown>>; properties?: Record<string, string> } = {},
) {
  h = await harness({
    plugins: { writer: writer(write), breaker, bad_revert: badRevert },
    ini: { ...o.ini, image_import_opts: { image_import_plugins: o.chain ?? (o.fail ? ['writer', 'breaker'] : ['writer']) } },
  });
  const { id } = (await h.req('POST', '/v2/images', { body: { name: 'p', disk_format: 'raw', container_format: 'bare', ...o.properties } })).json as {
    id: string;
  };
  await h.req('PUT', `/v2/images/${id}/stage`, { payload: 'abc', headers: octet });
  await h.req('POST', `/v2/images/${id}/import`, { body: { method: { name: 'glance-direct' } } });
  await h.server.runtime.imports.drain();
  const image = (await h.req('GET', `/v2/images/${id}`)).json as Record<string, unknown>;
  const task = (
    (await h.req('GET', `/v2/images/${id}/tasks`)).json as { tasks: Array<{ status: string; message: string; result: Record<string, unknown> | null }> }
  ).tasks[0]!;
  return { image, task };
}

describe('what plugins write to the image', () => {
  it('a property set with a number or a boolean, or an attribute outside the five, fails the import with GI_PLUGIN_BAD_IMAGE_CHANGE', async () => {
    for (const [write, message] of [
      [
        (ctx: ImportContext) => ctx.image.setExtraProperties({ count: 5 } as unknown as Record<string, string>),
        "An import task may not set the property 'count' to number 5: property values are strings.",
      ],
      [
        (ctx: ImportContext) => ctx.image.setExtraProperties({ ok: true } as unknown as Record<string, string>),
        "An import task may not set the property 'ok' to boolean true: property values are strings.",
      ],
      [
        (ctx: ImportContext) => ctx.image.setAttributes({ min_ram: 512 } as never),
        "An import task may not set the attribute 'min_ram': only status, disk_format, container_format, size, virtual_size can be set during an import.",
      ],
    ] as const) {
      const { image, task } = await importWith(write);
      expect(task).toMatchObject({ status: 'failure', message, result: null, error_code: 'GI_PLUGIN_BAD_IMAGE_CHANGE' });
      expect(image).toMatchObject({ status: 'uploading', min_ram: 0 });
      expect(image.count).toBeUndefined();
      await h!.close();
      h = undefined;
    }
  });

  it("a failed import puts back the properties a plugin without a revert set or removed, and keeps what is no longer the plugin's", async () => {
    const { image, task } = await importWith(
      async (ctx) => {
        await ctx.image.setExtraProperties({ added: 'by-plugin', changed: 'by-plugin', twice: 'first' });
        await ctx.image.setExtraProperties({ twice: 'second' });
        await ctx.image.removeExtraProperties(['removed']);
      },
      { fail: true, properties: { changed: 'by-user', removed: 'by-user' } },
    );
    expect(task).toMatchObject({ status: 'failure', message: 'the disk is not bootable' });
    expect(image).toMatchObject({ status: 'uploading', changed: 'by-user', removed: 'by-user' });
    expect(image.added).toBeUndefined();
    expect(image.twice).toBeUndefined();
  });

  it('also when a revert that throws stops the reverts before it', async () => {
    const { image, task } = await importWith((ctx) => ctx.image.setExtraProperties({ added: 'by-plugin' }), { chain: ['writer', 'bad_revert', 'breaker'] });
    expect(task).toMatchObject({ status: 'failure', message: 'the disk is not bootable' });
    expect(image).toMatchObject({ status: 'uploading' });
    expect(image.added).toBeUndefined();
  });

  it('a successful import keeps them', async () => {
    const { image } = await importWith((ctx) => ctx.image.setExtraProperties({ added: 'by-plugin' }));
    expect(image).toMatchObject({ status: 'active', added: 'by-plugin' });
  });

  it('a plugin that fails before any store is written leaves os_glance_failed_import empty (multi-store)', async () => {
    const ini = {
      DEFAULT: { enabled_backends: 'fast:file, slow:file' },
      glance_store: { default_backend: 'fast' },
      fast: { filesystem_store_datadir: '{data}/fast' },
      slow: { filesystem_store_datadir: '{data}/slow' },
    };
    const { image, task } = await importWith(async () => {}, { fail: true, ini });
    expect(task.status).toBe('failure');
    expect(image).toMatchObject({ status: 'uploading', os_glance_importing_to_stores: '', os_glance_failed_import: '' });
  });
});
