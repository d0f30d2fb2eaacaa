import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { option, string } from './types.js';
import { loadConfig } from './load.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'gi-config-'));
const file = (d: string, name: string, text: string) => { const f = path.join(d, name); writeFileSync(f, text); return f; };

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

  it('a cosmiconfig file that cannot be loaded is an error naming the file and what is wrong', async () => {
    const d = dir();
    const yaml = file(d, '.glance-importrc', 'image_import_opts:\n  image_import_plugins: [no_op\n');
    await expect(loadConfig({ searchFrom: d })).rejects.toMatchObject({
      code: 'GI_CONFIG_LOAD_FAILED', message: `Config file '${yaml}' could not be loaded: unexpected end of the stream within a flow collection (3:1)`,
    });
    const d2 = dir();
    const json = file(d2, 'glance-import.config.json', '{ "image_import_opts": {');
    await expect(loadConfig({ searchFrom: d2 })).rejects.toMatchObject({
      code: 'GI_CONFIG_LOAD_FAILED', message: expect.stringMatching(new RegExp(`^Config file '${json}' could not be loaded: .*JSON`)), hint: expect.stringContaining('typescript'),
    });
  });

  it('an unknown option is an error with a suggestion; a bad value names file, group and option', async () => {
    const d = dir();
    const typo = file(d, 'a.conf', '[taskflow_executor]\nengine_mdoe = serial\n');
    await expect(loadConfig({ configFiles: [typo], searchFrom: false })).rejects.toMatchObject({
      code: 'GI_CONFIG_UNKNOWN_OPTION', message: expect.stringMatching(/a\.conf:2: unknown option 'engine_mdoe' in \[taskflow_executor\]\. Did you mean 'engine_mode'/),
    });
    const bad = file(d, 'b.conf', '[taskflow_executor]\nmax_workers = zero\n');
    await expect(loadConfig({ configFiles: [bad], searchFrom: false })).rejects.toMatchObject({
      code: 'GI_CONFIG_INVALID_VALUE', message: expect.stringMatching(/b\.conf:2: \[taskflow_executor\] max_workers: 'zero' is not an integer/),
    });
    await expect(loadConfig({ configFiles: [path.join(d, 'missing.conf')], searchFrom: false })).rejects.toMatchObject({ code: 'GI_CONFIG_FILE_NOT_FOUND' });
  });

  it("accepts Glance's own groups and options it does not use, with a notice; refuses unknown groups", async () => {
    const d = dir();
    const f = file(d, 'glance-api.conf', '[DEFAULT]\nworkers = 1\nlog_file = /tmp/x\n[database]\nconnection = sqlite:///x\n[image_import_optz]\nx = 1\n');
    const c = await loadConfig({ configFiles: [f], searchFrom: false });
    expect(c.notices.map((n) => n.message)).toEqual(expect.arrayContaining([expect.stringContaining('[database]'), expect.stringContaining('workers')]));
    expect(() => c.checkGroups([])).toThrow(expect.objectContaining({ code: 'GI_CONFIG_UNKNOWN_GROUP', message: expect.stringContaining("Did you mean 'image_import_opts'") }));
  });

  it('validates store and plugin groups once their schema is known', async () => {
    const d = dir();
    const f = file(d, 'x.conf', '[DEFAULT]\nenabled_backends = fast:file, slow:file\n[fast]\nfilesystem_store_datadir = /srv/fast\n[image_conversion]\noutput_format = qcow3\n');
    const c = await loadConfig({ configFiles: [f], searchFrom: false });
    expect(c.storeIds).toEqual(['fast', 'slow']);
    expect(c.store('fast').filesystem_store_datadir).toBe('/srv/fast');
    const schema = { output_format: option(string({ choices: ['raw', 'qcow2'] }), { default: 'raw', help: '' }) };
    expect(() => c.group('image_conversion', schema, 'image_conversion')).toThrow(expect.objectContaining({
      code: 'GI_PLUGIN_INVALID_OPTIONS',
      message: `Options of plugin 'image_conversion' in [image_conversion] are invalid: ${f}:6: [image_conversion] output_format: 'qcow3' is not one of 'raw', 'qcow2'; expected one of 'raw', 'qcow2'.`,
    }));
    expect(() => c.checkGroups(['image_conversion'])).not.toThrow();
  });

  it('knows the groups other packages read, and validates them against the schema the package gives', async () => {
    const d = dir();
    const f = file(d, 'glance-api.conf', '[paste_deploy]\nflavor = keystone\n[keystone_authtoken]\nauth_urll = http://ks\n');
    const c = await loadConfig({ configFiles: [f], searchFrom: false });
    expect(c.notices).toEqual([]);
    expect(() => c.checkGroups([])).not.toThrow();
    expect(c.section('paste_deploy', { flavor: option(string(), { help: '' }) })).toEqual({ flavor: 'keystone' });
    expect(() => c.section('keystone_authtoken', { auth_url: option(string(), { help: '' }) })).toThrow(expect.objectContaining({
      code: 'GI_CONFIG_UNKNOWN_OPTION', message: expect.stringContaining("Did you mean 'auth_url'"),
    }));
  });
});
