import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './workspace.js';

/**
 * Put test/fixtures/gate-plugin under `dir`/plugins with `@glance-import/core` linked to this
 * repository's core (the one the built CLI loads), and write a Glance-style config file that runs it
 * through `[glance_import] plugin_dirs`, followed by `extra` INI text. Returns the config file's path.
 */
export function gatePluginConfig(dir: string, extra = ''): string {
  const plugins = path.join(dir, 'plugins');
  const pkg = path.join(plugins, 'gate-plugin');
  cpSync(path.join(import.meta.dirname, '..', 'fixtures', 'gate-plugin'), pkg, { recursive: true });
  mkdirSync(path.join(pkg, 'node_modules', '@glance-import'), { recursive: true });
  symlinkSync(path.join(REPO, 'packages', 'core'), path.join(pkg, 'node_modules', '@glance-import', 'core'));
  const conf = path.join(dir, 'glance-image-import.conf');
  writeFileSync(conf, `[image_import_opts]\nimage_import_plugins = ['gate']\n\n[glance_import]\nplugin_dirs = ['${plugins}']\n${extra}`);
  return conf;
}
