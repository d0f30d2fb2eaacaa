import { coreSchema, pluginMeta, storeGroupSchema, type ConfigSchema, type GroupSchema } from '@glance-import/core';
import { databaseGroups } from '@glance-import/db';
import { getFlow as imageConversion } from '@glance-import/plugin-convert';
import { getFlow as imageDecompression } from '@glance-import/plugin-decompress';
import { getFlow as injectMetadata } from '@glance-import/plugin-inject-metadata';
import { keystoneGroups } from '@glance-import/keystone';
import { serverSchema } from '@glance-import/server';
import { s3Options } from '@glance-import/store-s3';
import { swiftOptions } from '@glance-import/store-swift';

/**
 * docs/configuration.md, rendered from the option schemas themselves: each package's groups, in
 * the order below, every option with its type, default and help. `pnpm docs:config` writes it;
 * test/docs.test.ts fails while the file and the schemas differ. A package that brings options
 * gets a line here.
 */
interface Part {
  title: string;
  about: string;
  schema: ConfigSchema;
}

// Groups other packages define and the server composes in are shown under their own package.
const borrowed = new Set(['database', ...Object.keys(keystoneGroups)]);
const server = Object.fromEntries(Object.entries(serverSchema).filter(([group]) => !borrowed.has(group))) as ConfigSchema;
const plugin = (name: string, fn: unknown, about: string): Part => {
  const meta = pluginMeta(fn);
  return {
    title: `Plugin ${name} (\`${meta.group ?? name}\`)`,
    about: `${about} ${meta.description ?? ''}`.trim(),
    schema: { [meta.group ?? name]: meta.options ?? {} },
  };
};

const PARTS: readonly Part[] = [
  { title: 'Core (`@glance-import/core`)', about: "The plugin list and how plugins are found, and what an import's plugins are told.", schema: coreSchema },
  {
    title: 'Each store (`[<store id>]`)',
    about: 'One group per store named in `[DEFAULT] enabled_backends` (`fast:file` makes `[fast]`); store types from other packages add their own options.',
    schema: { '<store id>': storeGroupSchema },
  },
  {
    title: 'Image service (`@glance-import/server`)',
    about: "What `glance-import serve` reads besides core's options; `[DEFAULT]` and `[glance_import]` take options from both.",
    schema: server,
  },
  {
    title: 'Database (`@glance-import/db`)',
    about: "oslo.db's `[database]` group, read by `serve`, `token`, `db sync` and `db version`.",
    schema: databaseGroups,
  },
  {
    title: 'Identity (`@glance-import/keystone`)',
    about: "Glance's identity switch and keystonemiddleware's `[keystone_authtoken]`, read by `serve` and `config check`.",
    schema: keystoneGroups,
  },
  {
    title: 'A swift store (`@glance-import/store-swift`)',
    about: "The group of a store of type `swift` in `[DEFAULT] enabled_backends` (`objects:swift` makes `[objects]`), with glance_store's option names.",
    schema: { '<swift store id>': swiftOptions },
  },
  {
    title: 'An s3 store (`@glance-import/store-s3`)',
    about: "The group of a store of type `s3` in `[DEFAULT] enabled_backends`, with glance_store's option names.",
    schema: { '<s3 store id>': s3Options },
  },
  plugin('image_conversion', imageConversion, 'Entry point `image_conversion` (`@glance-import/plugin-convert`).'),
  plugin('image_decompression', imageDecompression, 'Entry point `image_decompression` (`@glance-import/plugin-decompress`).'),
  plugin('inject_image_metadata', injectMetadata, 'Entry point `inject_image_metadata` (`@glance-import/plugin-inject-metadata`).'),
];

/** A value as it is written in an INI file. */
function ini(v: unknown): string {
  if (v === undefined) return '(none)';
  if (Array.isArray(v)) return v.length ? `\`${v.join(', ')}\`` : '(empty)';
  if (typeof v === 'object' && v !== null) {
    const pairs = Object.entries(v).map(([k, x]) => `${k}:${String(x)}`);
    return pairs.length ? `\`${pairs.join(', ')}\`` : '(empty)';
  }
  return `\`${String(v)}\``;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function group(name: string, options: GroupSchema): string[] {
  const rows = Object.entries(options).map(
    ([option, spec]) => `| \`${option}\` | ${cell(spec.type.description)} | ${cell(ini(spec.default))} | ${cell(spec.help)} |`,
  );
  return [`### [${name}]`, '', ...(rows.length ? ['| option | value | default | what it does |', '|---|---|---|---|', ...rows] : ['No options.']), ''];
}

export function renderConfigReference(): string {
  return [
    '# Configuration reference',
    '',
    '<!-- Generated from the option schemas by `pnpm docs:config` (test/support/config-reference.ts); test/docs.test.ts',
    '     keeps it equal to them. Edit the help texts in the schemas, not this file. -->',
    '',
    "Every option glance-import reads, by the package that defines it, with Glance's group and option names",
    "where Glance has the option. Options come from the host's cosmiconfig file, then each `--config-file`",
    '(later wins); an unknown option or group is an error with a suggestion, a bad value names the file,',
    'group and option. Glance groups and options glance-import does not use (`[oslo_policy]`, `[DEFAULT]',
    'workers`, ...) are accepted and reported as ignored by `glance-import config check`. A third-party',
    "plugin's options are in its own README; `glance-import config check --json` shows the values each",
    "plugin gets. Values are written as in `glance-api.conf`: lists as `a, b` or `['a', 'b']`, dicts as",
    '`key:value, key:value`, booleans as `true`/`false`.',
    '',
    ...PARTS.flatMap((p) => [`## ${p.title}`, '', p.about, '', ...Object.entries(p.schema).flatMap(([name, options]) => group(name, options))]),
  ].join('\n');
}
