import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig as load, type LoadConfigOptions } from '@glance-import/core';
import { describe, expect, it } from 'vitest';
import { serverSchema } from './options.js';

// Core's loader over the server's options: the config the server runs with is loaded with its schema.
const loadConfig = (o: LoadConfigOptions = {}) => load({ ...o, schema: serverSchema });

const dir = () => mkdtempSync(path.join(tmpdir(), 'gi-config-'));
const file = (d: string, name: string, text: string) => {
  const f = path.join(d, name);
  writeFileSync(f, text);
  return f;
};

describe('loadConfig', () => {
  it("has Glance's defaults", async () => {
    const c = await loadConfig({ searchFrom: false });
    expect(c.values.DEFAULT.enable_image_import).toBe(true);
    expect(c.values.DEFAULT.enabled_import_methods).toEqual(['glance-direct', 'web-download', 'copy-image']);
    expect(c.values.DEFAULT.image_size_cap).toBe(1099511627776);
    expect(c.values.taskflow_executor).toEqual({ engine_mode: 'parallel', max_workers: 10, conversion_format: undefined });
    expect(c.values.task.task_executor).toBe('taskflow');
    expect(c.values.image_import_opts.image_import_plugins).toEqual([]);
    expect(c.values.import_filtering_opts.allowed_ports).toEqual([80, 443]);
  });

  it('reads several INI files; the later one wins, as with oslo.config', async () => {
    const d = dir();
    const api = file(d, 'glance-api.conf', '[DEFAULT]\nenable_image_import = False\nimage_size_cap = 1000\n[taskflow_executor]\nengine_mode = serial\n');
    const imp = file(d, 'glance-image-import.conf', "[image_import_opts]\nimage_import_plugins = ['no_op']\n[DEFAULT]\nimage_size_cap = 2000\n");
    const c = await loadConfig({ configFiles: [api, imp], searchFrom: false });
    expect(c.values.DEFAULT.enable_image_import).toBe(false);
    expect(c.values.DEFAULT.image_size_cap).toBe(2000);
    expect(c.values.taskflow_executor.engine_mode).toBe('serial');
    expect(c.values.image_import_opts.image_import_plugins).toEqual(['no_op']);
    expect(c.sources).toEqual([api, imp]);
  });

  it('loads cosmiconfig files (module name glance-import); INI files override them', async () => {
    const d = dir();
    file(d, 'package.json', JSON.stringify({ name: 'host', 'glance-import': { taskflow_executor: { max_workers: 3, engine_mode: 'serial' } } }));
    const ini = file(d, 'x.conf', '[taskflow_executor]\nmax_workers = 4\n');
    const c = await loadConfig({ searchFrom: d, configFiles: [ini] });
    expect(c.values.taskflow_executor).toMatchObject({ engine_mode: 'serial', max_workers: 4 });

    const d2 = dir();
    file(d2, '.glance-importrc', 'image_import_opts:\n  image_import_plugins: [no_op]\n');
    expect((await loadConfig({ searchFrom: d2 })).values.image_import_opts.image_import_plugins).toEqual(['no_op']);

    const d4 = dir();
    file(d4, 'glance-import.config.json', '{ "image_import_opts": { "image_import_plugins": ["no_op"] } }');
    const json = await loadConfig({ searchFrom: d4 });
    expect(json.sources).toEqual([path.join(d4, 'glance-import.config.json')]);
    expect(json.values.image_import_opts.image_import_plugins).toEqual(['no_op']);

    const d3 = dir();
    file(d3, 'glance-import.config.mjs', "export default { DEFAULT: { enabled_import_methods: ['glance-direct'] } };\n");
    expect((await loadConfig({ searchFrom: d3 })).values.DEFAULT.enabled_import_methods).toEqual(['glance-direct']);
  });

  it('an unknown option is an error with a suggestion; a bad value names file, group and option', async () => {
    const d = dir();
    const typo = file(d, 'a.conf', '[taskflow_executor]\nengine_mdoe = serial\n');
    await expect(loadConfig({ configFiles: [typo], searchFrom: false })).rejects.toMatchObject({
      code: 'GI_CONFIG_UNKNOWN_OPTION',
      message: expect.stringMatching(/a\.conf:2: unknown option 'engine_mdoe' in \[taskflow_executor\]\. Did you mean 'engine_mode'/),
    });
    const bad = file(d, 'b.conf', '[taskflow_executor]\nmax_workers = zero\n');
    await expect(loadConfig({ configFiles: [bad], searchFrom: false })).rejects.toMatchObject({
      code: 'GI_CONFIG_INVALID_VALUE',
      message: expect.stringMatching(/b\.conf:2: \[taskflow_executor\] max_workers: 'zero' is not an integer/),
    });
    await expect(loadConfig({ configFiles: [path.join(d, 'missing.conf')], searchFrom: false })).rejects.toMatchObject({ code: 'GI_CONFIG_FILE_NOT_FOUND' });
  });
});
