import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { integer, option, string } from './types.js';
import { loadConfig } from './load.js';
import { composeSchemas, coreSchema } from './schema.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'gi-config-'));
const file = (d: string, name: string, text: string) => {
  const f = path.join(d, name);
  writeFileSync(f, text);
  return f;
};

describe('loadConfig', () => {
  it('a cosmiconfig file that cannot be loaded is an error naming the file and what is wrong', async () => {
    const d = dir();
    const yaml = file(d, '.glance-importrc', 'image_import_opts:\n  image_import_plugins: [no_op\n');
    await expect(loadConfig({ searchFrom: d })).rejects.toMatchObject({
      code: 'GI_CONFIG_LOAD_FAILED',
      message: `Config file '${yaml}' could not be loaded: unexpected end of the stream within a flow collection (3:1)`,
    });
    const d2 = dir();
    const json = file(d2, 'glance-import.config.json', '{ "image_import_opts": {');
    await expect(loadConfig({ searchFrom: d2 })).rejects.toMatchObject({
      code: 'GI_CONFIG_LOAD_FAILED',
      message: expect.stringMatching(new RegExp(`^Config file '${json}' could not be loaded: .*JSON`)),
      hint: expect.stringContaining('typescript'),
    });
  });

  it("accepts Glance's own groups and options it does not use, with a notice; refuses unknown groups", async () => {
    const d = dir();
    const f = file(d, 'glance-api.conf', '[DEFAULT]\nworkers = 1\nlog_file = /tmp/x\n[database]\nconnection = sqlite:///x\n[image_import_optz]\nx = 1\n');
    const c = await loadConfig({ configFiles: [f], searchFrom: false });
    expect(c.notices.map((n) => n.message)).toEqual(expect.arrayContaining([expect.stringContaining('[database]'), expect.stringContaining('workers')]));
    expect(() => c.checkGroups([])).toThrow(
      expect.objectContaining({ code: 'GI_CONFIG_UNKNOWN_GROUP', message: expect.stringContaining("Did you mean 'image_import_opts'") }),
    );
  });

  it('validates store and plugin groups once their schema is known', async () => {
    const d = dir();
    const f = file(
      d,
      'x.conf',
      '[DEFAULT]\nenabled_backends = fast:file, slow:file\n[fast]\nfilesystem_store_datadir = /srv/fast\n[image_conversion]\noutput_format = qcow3\n',
    );
    const c = await loadConfig({ configFiles: [f], searchFrom: false });
    expect(c.storeIds).toEqual(['fast', 'slow']);
    expect(c.store('fast').filesystem_store_datadir).toBe('/srv/fast');
    const schema = { output_format: option(string({ choices: ['raw', 'qcow2'] }), { default: 'raw', help: '' }) };
    expect(() => c.group('image_conversion', schema, 'image_conversion')).toThrow(
      expect.objectContaining({
        code: 'GI_PLUGIN_INVALID_OPTIONS',
        message: `Options of plugin 'image_conversion' in [image_conversion] are invalid: ${f}:6: [image_conversion] output_format: 'qcow3' is not one of 'raw', 'qcow2'; expected one of 'raw', 'qcow2'.`,
      }),
    );
    expect(() => c.checkGroups(['image_conversion'])).not.toThrow();
  });

  it('an unknown option of a core group is an error with a suggestion', async () => {
    const typo = file(dir(), 'a.conf', '[image_import_opts]\nimage_import_plugin = no_op\n');
    await expect(loadConfig({ configFiles: [typo], searchFrom: false })).rejects.toMatchObject({
      code: 'GI_CONFIG_UNKNOWN_OPTION',
      message: expect.stringMatching(/a\.conf:2: unknown option 'image_import_plugin' in \[image_import_opts\]\. Did you mean 'image_import_plugins'/),
    });
  });

  it("composes another package's schema group by group: its own groups, and options it adds to [DEFAULT]", async () => {
    const schema = { DEFAULT: { colour: option(string(), { default: 'blue', help: '' }) }, paint: { coats: option(string(), { default: '2', help: '' }) } };
    const f = file(dir(), 'x.conf', '[DEFAULT]\ncolour = red\nimage_size_cap = 5\n[paint]\ncoats = 3\n');
    const c = await loadConfig({ configFiles: [f], searchFrom: false, schema });
    expect(c.values.DEFAULT).toMatchObject({ colour: 'red', image_size_cap: 5 });
    expect(c.values.paint.coats).toBe('3');
    expect(() => c.checkGroups([])).not.toThrow();
    await expect(loadConfig({ configFiles: [f], searchFrom: false })).rejects.toMatchObject({ code: 'GI_CONFIG_UNKNOWN_OPTION' });
    expect(() => composeSchemas([coreSchema, { DEFAULT: { image_size_cap: option(string(), { default: '', help: '' }) } }])).toThrow(
      /image_size_cap.*\[DEFAULT\].*two schemas/,
    );
  });

  it('validates a group another package owns when loaded, and neither ignores nor refuses it', async () => {
    const d = dir();
    const groups = { database: { connection: option(string(), { help: '' }), max_pool_size: option(integer({ min: 1 }), { default: 5, help: '' }) } };
    const good = file(d, 'good.conf', '[database]\nconnection = postgresql://u:p@127.0.0.1/db\n');
    const c = await loadConfig({ configFiles: [good], searchFrom: false, schema: groups });
    expect(c.group('database', groups.database)).toEqual({ connection: 'postgresql://u:p@127.0.0.1/db', max_pool_size: 5 });
    expect(c.notices).toEqual([]);
    expect(() => c.checkGroups([])).not.toThrow();
    const bad = file(d, 'bad.conf', '[database]\nmax_pool_size = 0\n');
    await expect(loadConfig({ configFiles: [bad], searchFrom: false, schema: groups })).rejects.toMatchObject({
      code: 'GI_CONFIG_INVALID_VALUE',
      message: expect.stringContaining(`${bad}:2: [database] max_pool_size: 0 is not >= 1`),
    });
  });
});
