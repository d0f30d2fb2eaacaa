/**
 * The files of a new plugin package (`glance-import plugins new NAME`): plain JavaScript, so it runs
 * and tests with nothing but Node and the two framework packages; docs/plugin-authors.md explains
 * each part.
 */
export interface TemplateInput {
  /** Entry-point name, as operators write it in image_import_plugins. */
  name: string;
  packageName: string;
  /** The range of @glance-import/core and @glance-import/testing the plugin is made for. */
  coreRange: string;
}

const taskName = (name: string) =>
  `${name
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('')}Task`;

export function pluginFiles(t: TemplateInput): Record<string, string> {
  const task = taskName(t.name);
  return {
    'package.json': `${JSON.stringify(
      {
        name: t.packageName,
        version: '0.1.0',
        description: `A glance-import plugin: ${t.name}`,
        type: 'module',
        license: 'Apache-2.0',
        exports: './index.js',
        files: ['index.js', 'task.js'],
        engines: { node: '>=20.11' },
        scripts: { test: 'node --test' },
        entryPoints: { 'glance.image_import.plugins': { [t.name]: './index.js:getFlow' } },
        peerDependencies: { '@glance-import/core': t.coreRange },
        devDependencies: { '@glance-import/core': t.coreRange, '@glance-import/testing': t.coreRange },
      },
      null,
      2,
    )}\n`,

    'index.js': `import { definePlugin, linearFlow, opts } from '@glance-import/core';
import { recordSize } from './task.js';

/** ${t.name}: records the size of the image data in an image property. */
export const getFlow = definePlugin({
  description: 'Records the size of the imported data in the image property [${t.name}] property.',
  options: {
    property: opts.option(opts.string(), { default: '${t.name}_size', help: 'Image property that gets the size of the data, in bytes.' }),
  },
  // Reads the data, never rewrites it: the inspector need not run again after it.
  changesData: false,
  getFlow: (ctx) => linearFlow('${t.name}', {}, recordSize(ctx)),
});
`,

    'task.js': `import { stat } from 'node:fs/promises';
import { defineTask, FILE_PATH } from '@glance-import/core';

/** One task: the work of the plugin, and the revert that undoes it if a later task fails. */
export function recordSize(ctx) {
  return defineTask({
    name: '${task}',
    requires: [FILE_PATH],
    async execute({ file_path }) {
      const { size } = await stat(file_path);
      await ctx.image.setExtraProperties({ [ctx.options.property]: String(size) });
      ctx.logger.info({ size }, '${t.name}: recorded the size of the data');
      return String(size);
    },
    // Undo only what is still ours: someone may have changed the property since.
    async revert(_inputs, outcome) {
      if (outcome.kind !== 'success') return;
      const image = await ctx.image.get();
      if (image.extraProperties[ctx.options.property] === outcome.value) await ctx.image.removeExtraProperties([ctx.options.property]);
    },
  });
}
`,

    'index.test.js': `import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, test } from 'node:test';
import { runPlugin } from '@glance-import/testing';
import { getFlow } from './index.js';

const dir = await mkdtemp(path.join(tmpdir(), '${t.name}-'));
after(() => rm(dir, { recursive: true, force: true }));
const runs = [];
afterEach(() => runs.splice(0).forEach((run) => run.dispose()));

async function fixture(bytes) {
  const file = path.join(dir, \`disk-\${bytes}.raw\`);
  await writeFile(file, Buffer.alloc(bytes, 1));
  return file;
}

const run = async (o) => {
  const r = await runPlugin(getFlow, o);
  runs.push(r);
  return r;
};

test('records the size of the data', async () => {
  const r = await run({ file: await fixture(1000) });
  assert.equal(r.ok, true, r.error?.message);
  assert.deepEqual(r.changes, { 'properties.${t.name}_size': { from: undefined, to: '1000' } });
});

test('the property is an option', async () => {
  const r = await run({ file: await fixture(10), options: { property: 'bytes' } });
  assert.deepEqual(r.changes, { 'properties.bytes': { from: undefined, to: '10' } });
});

test('a later failure reverts it', async () => {
  const r = await run({ file: await fixture(10), failAfter: true });
  assert.equal(r.ok, false);
  assert.ok(r.reverted.includes('${task}'));
  assert.deepEqual(r.changes, {});
});
`,

    'README.md': `# ${t.packageName}

A glance-import import plugin, entry point \`${t.name}\`: records the size of the
imported data in an image property.

## Use

In the host application (the package that runs \`glance-import serve\`):

    npm install ${t.packageName}

\`glance-image-import.conf\`:

    [image_import_opts]
    image_import_plugins = ['${t.name}']

    [${t.name}]
    property = ${t.name}_size

\`npx glance-import config check --config-file glance-image-import.conf\` shows it in the import flow.

## Develop

    npm install
    npm test
`,
  };
}
