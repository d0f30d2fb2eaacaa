import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { installFixturePackage } from './fixture-package.js';

/**
 * Put test/fixtures/gate-plugin under `dir`/plugins and write a Glance-style config file that runs it
 * through `[glance_import] plugin_dirs`, followed by `extra` INI text. Returns the config file's path.
 */
export function gatePluginConfig(dir: string, extra = ''): string {
  const plugins = path.join(dir, 'plugins');
  installFixturePackage(plugins, 'gate-plugin');
  const conf = path.join(dir, 'glance-image-import.conf');
  writeFileSync(conf, `[image_import_opts]\nimage_import_plugins = ['gate']\n\n[glance_import]\nplugin_dirs = ['${plugins}']\n${extra}`);
  return conf;
}
