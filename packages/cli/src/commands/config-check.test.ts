import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { coreVersion } from '@glance-import/core';
import { describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { bufferIo, hostApp, iniFile, pluginSource, type FixturePlugin } from '../host.fixture.js';

const PLUGINS: FixturePlugin[] = [
  {
    package: 'p-alpha',
    entryPoint: 'alpha',
    source: pluginSource(
      'alpha',
      'AlphaTask',
      "description: 'Alphas the image.', options: { level: opts.option(opts.integer({ min: 1, max: 9 }), { default: 6, help: 'how hard' }) },",
    ),
  },
  { package: 'p-beta', entryPoint: 'beta', source: pluginSource('beta', 'BetaTask') },
  { package: 'p-raw', entryPoint: 'needs_raw', source: pluginSource('needs_raw', 'RawTask', 'formats: { accepts: { compressed: false } },') },
  {
    package: 'p-unzip',
    entryPoint: 'unzip',
    source: pluginSource('unzip', 'UnzipTask', 'formats: { accepts: { compressed: true }, produces: () => ({ compressed: false }) },'),
  },
  { package: 'p-old', entryPoint: 'old', source: pluginSource('old', 'OldTask'), coreRange: '^99.0.0' },
  { package: 'p-throws', entryPoint: 'throws', source: "export const getFlow = () => { throw new Error('no flow today'); };" },
  { package: 'p-peeks', entryPoint: 'peeks', source: 'export const getFlow = async (ctx) => { await ctx.image.get(); };' },
];

const check = async (root: string, conf?: string, ...more: string[]) => {
  const io = bufferIo();
  const files = conf === undefined ? [] : ['--config-file', iniFile(root, conf)];
  const code = await main(['config', 'check', '--root', root, ...files, ...more], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

const plugins = (...names: string[]) => `[image_import_opts]\nimage_import_plugins = [${names.map((n) => `'${n}'`).join(', ')}]\n`;

describe('glance-import config check', () => {
  it('resolves image_import_plugins in config order and prints the import flow', async () => {
    const root = hostApp(PLUGINS);
    const r = await check(root, `${plugins('beta', 'alpha')}[alpha]\nlevel = 3\n[database]\nconnection = sqlite://\n[profiler]\nenabled = false\n`);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        `config: ${path.join(root, 'glance-image-import.conf')}`,
        'notice: [profiler] is a Glance group glance-import does not use; ignored.',
        'import plugins, in order:',
        '  1. beta  p-beta@1.0.0  [beta]',
        '  2. alpha  p-alpha@1.0.0  [alpha]',
        '     Alphas the image.',
        'flow of a glance-direct import (engine_mode parallel, max_workers 10):',
        '  api_image_import [linear, retry AlwaysRevert]',
        '    ImageLock',
        '    VerifyStaging (provides file_path)',
        '    Inspect-staged (requires file_path; provides inspection)',
        '    beta [linear]',
        '      BetaTask (requires file_path; provides file_path)',
        '    Inspect-beta (requires file_path; provides inspection)',
        '    alpha [linear]',
        '      AlphaTask (requires file_path; provides file_path)',
        '    Inspect-alpha (requires file_path; provides inspection)',
        '    ImportToStore (requires file_path, inspection; provides stored)',
        '    DeleteFromStaging',
        '    CompleteTask',
        'OK',
        '',
      ].join('\n'),
    );
  });

  it('--json reports plugins with their validated options, and the flow', async () => {
    const root = hostApp(PLUGINS);
    const r = await check(root, `${plugins('alpha', 'beta')}[DEFAULT]\nenabled_backends = fast:file\n[taskflow_executor]\nengine_mode = serial\n`, '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(json.plugins).toEqual([
      {
        name: 'alpha',
        package: 'p-alpha',
        version: '1.0.0',
        group: 'alpha',
        options: { level: 6 },
        description: 'Alphas the image.',
        help: { level: 'how hard' },
      },
      { name: 'beta', package: 'p-beta', version: '1.0.0', group: 'beta', options: {}, help: {} },
    ]);
    expect(json.engine).toEqual({ engine_mode: 'serial', max_workers: 10, conversion_format: undefined });
    expect(json.flow).toEqual(
      expect.arrayContaining(['  alpha [linear]', '  beta [linear]', '  ImportToStore (requires file_path, inspection; provides stored)']),
    );
  });

  it("reads the host's cosmiconfig file when no --config-file is given", async () => {
    const root = hostApp(PLUGINS, { image_import_opts: { image_import_plugins: ['alpha'] }, alpha: { level: 9 } });
    const r = await check(root, undefined, '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ sources: [path.join(root, 'package.json')], plugins: [{ name: 'alpha', options: { level: 9 } }] });
  });

  it('warn mode skips a plugin that cannot load, says so on stderr, and checks the rest', async () => {
    const root = hostApp(PLUGINS);
    const r = await check(root, `${plugins('ghost', 'beta')}[glance_import]\nplugin_load_errors = warn\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning GI_REGISTRY_SKIPPED: Entry point 'ghost' was skipped: GI_REGISTRY_NOT_FOUND: /);
    expect(r.stdout).toContain('  1. beta  p-beta@1.0.0  [beta]\n');
  });

  const conf = (root: string) => path.join(root, 'glance-image-import.conf');
  it.each<[string, string, (root: string) => string, string]>([
    [
      'a name not found (with did-you-mean)',
      plugins('alpah'),
      () => "error GI_REGISTRY_NOT_FOUND: No entry point 'alpah' in namespace 'glance.image_import.plugins'. Did you mean 'alpha'?",
      "hint: Installed names: 'alpha', 'beta', 'needs_raw', 'old', 'peeks', 'throws', 'unzip'. Install the package that provides 'alpah'",
    ],
    [
      'a plugin built for another core',
      plugins('beta', 'old'),
      () => `error GI_REGISTRY_INCOMPATIBLE: Entry point 'old' (p-old@1.0.0) requires @glance-import/core ^99.0.0, but ${coreVersion()} is running.`,
      `hint: Install a version of p-old built for @glance-import/core ${coreVersion()}, or a @glance-import/core that satisfies ^99.0.0.`,
    ],
    [
      'a name listed twice',
      plugins('beta', 'beta'),
      () => "error GI_REGISTRY_DUPLICATE_NAME: 'beta' is listed more than once for 'glance.image_import.plugins'.",
      'hint: Each plugin runs once',
    ],
    [
      'invalid plugin options',
      `${plugins('alpha')}[alpha]\nlevel = 42\n`,
      (root) =>
        `error GI_PLUGIN_INVALID_OPTIONS: Options of plugin 'alpha' in [alpha] are invalid: ${conf(root)}:4: [alpha] level: 42 is not from 1 to 9; expected an integer from 1 to 9.`,
      'hint: Fix the value in the config file (the message says what the option accepts), then run `glance-import config check` again',
    ],
    [
      'an unknown plugin option',
      `${plugins('alpha')}[alpha]\nlevle = 4\n`,
      (root) => `error GI_CONFIG_UNKNOWN_OPTION: ${conf(root)}:4: unknown option 'levle' in [alpha]. Did you mean 'level'?`,
      "hint: Remove the option or fix its spelling; a plugin's group accepts the options in its README",
    ],
    [
      'an unknown core option',
      "[image_import_opts]\nimage_import_plugin = ['beta']\n",
      (root) =>
        `error GI_CONFIG_UNKNOWN_OPTION: ${conf(root)}:2: unknown option 'image_import_plugin' in [image_import_opts]. Did you mean 'image_import_plugins'?`,
      'hint: Remove the option or fix its spelling',
    ],
    [
      'a bad value (file, line, group, option)',
      '[taskflow_executor]\nmax_workers = many\n',
      (root) => `error GI_CONFIG_INVALID_VALUE: ${conf(root)}:2: [taskflow_executor] max_workers: 'many' is not an integer; expected an integer >= 1.`,
      'hint: Fix the value; the message says what the option accepts.',
    ],
    [
      'an unknown group',
      `${plugins('beta')}[image_import_optz]\nx = 1\n`,
      (root) => `error GI_CONFIG_UNKNOWN_GROUP: ${conf(root)}: unknown group [image_import_optz]. Did you mean 'image_import_opts'?`,
      'hint: Groups are those of glance-api.conf',
    ],
    [
      'a chain that cannot work',
      `${plugins('beta', 'needs_raw')}[glance_import]\ninput_compressed = true\n`,
      () =>
        "error GI_PLUGIN_CHAIN_INCOMPATIBLE: Plugin 'needs_raw' (position 2 in image_import_plugins) cannot work here: it needs uncompressed data, but compressed input is declared ([glance_import] input_compressed) and nothing before it decompresses.",
      "hint: Add 'image_decompression' before 'needs_raw' in image_import_plugins.",
    ],
    [
      'a decompressor listed after a plugin that needs uncompressed data (no input_compressed needed)',
      plugins('needs_raw', 'unzip'),
      () =>
        "error GI_PLUGIN_CHAIN_INCOMPATIBLE: Plugin 'needs_raw' (position 1 in image_import_plugins) cannot work here: it needs uncompressed data, but compressed input is declared ('unzip' is in image_import_plugins) and nothing before it decompresses.",
      "hint: Move 'unzip' before 'needs_raw' in image_import_plugins.",
    ],
    [
      'a getFlow() that throws',
      plugins('throws'),
      () => "error GI_REGISTRY_FACTORY_FAILED: Entry point 'throws' (p-throws) failed while building its flow: no flow today",
      'hint: The plugin threw from getFlow()',
    ],
    [
      'a getFlow() that touches the image',
      plugins('peeks'),
      () =>
        "error GI_REGISTRY_FACTORY_FAILED: Entry point 'peeks' (p-peeks) failed while building its flow: getFlow() must not read or change the image; do that in a task",
      'hint: The plugin threw from getFlow()',
    ],
    [
      'a config file that does not exist',
      '',
      (root) => `error GI_CONFIG_FILE_NOT_FOUND: Config file '${path.join(root, 'missing.conf')}' does not exist or cannot be read.`,
      'hint: Check the path given to --config-file.',
    ],
  ])('%s fails with exit 1, its GI code and a hint', async (_what, text, message, hint) => {
    const root = hostApp(PLUGINS);
    const r = text ? await check(root, text) : await check(root, undefined, '--config-file', path.join(root, 'missing.conf'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const [first, second, ...rest] = r.stderr.split('\n');
    expect(first).toBe(message(root));
    expect(second).toMatch(/^ {2}hint: /);
    expect(second).toContain(hint);
    expect(rest).toEqual(['']);
  });

  it('a host config file that fails to load is GI_CONFIG_LOAD_FAILED, naming the file', async () => {
    const root = hostApp(PLUGINS);
    writeFileSync(path.join(root, '.glance-importrc'), 'image_import_opts:\n  image_import_plugins: [beta\n');
    const r = await check(root);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^error GI_CONFIG_LOAD_FAILED: Config file '${path.join(root, '.glance-importrc')}' could not be loaded: unexpected end of the stream`),
    );
    expect(r.stderr).toContain('\n  hint: cosmiconfig files');
  });
});
