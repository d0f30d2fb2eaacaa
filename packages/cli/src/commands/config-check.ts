import { describeFlow, EntryPointRegistry, findHostRoot, loadConfig, resolveImportPlugins } from '@glance-import/core';
import { identityConfig, KeystoneAuth, type IdentityConfig } from '@glance-import/keystone';
import { checkStoreConfig, describeImportFlow, serverSchema } from '@glance-import/server';
import { configOptions, jsonOption, type Command } from '../command.js';
import { EXIT, type Io } from '../io.js';

export interface ConfigCheckArgs {
  'config-file'?: string[];
  root?: string;
  json?: boolean;
}

export async function configCheck(args: ConfigCheckArgs, io: Io): Promise<number> {
  const root = findHostRoot(args.root ?? process.cwd());
  // The whole config: core's options and the server's, then each plugin's group as it resolves.
  const config = await loadConfig({ configFiles: args['config-file'], searchFrom: root, schema: serverSchema });
  const registry = EntryPointRegistry.discover({ root, dirs: config.values.glance_import.plugin_dirs });
  const { plugins, warnings } = await resolveImportPlugins(registry, config);
  // As at start-up: each store's group is validated, and each store of a driver (swift, s3, ...) is
  // reached and logged in to, its container or bucket looked for.
  const stores = await checkStoreConfig(config, registry);
  // The very flow the server builds for a glance-direct import with this config.
  const flow = await describeImportFlow(config, plugins);
  const engine = config.values.taskflow_executor;
  const identity = identityConfig(config, { trustedIdentityHeaders: config.values.glance_import.trusted_identity_headers });
  const notices = [...config.notices, ...identity.notices];
  if (args.json) {
    const keystone = await probe(identity);
    io.out(
      JSON.stringify(
        {
          sources: config.sources,
          notices,
          warnings: warnings.map((w) => w.toJSON()),
          plugins: plugins.map((p) => ({
            name: p.name,
            package: p.entryPoint.packageName,
            version: p.entryPoint.packageVersion,
            group: p.group,
            options: p.options,
            ...(p.meta.description ? { description: p.meta.description } : {}),
            help: Object.fromEntries(Object.entries(p.meta.options ?? {}).map(([k, o]) => [k, o.help])),
          })),
          stores,
          engine,
          flow: describeFlow(flow),
          identity: { mode: identity.mode, ...(keystone ? { keystone } : {}) },
        },
        null,
        2,
      ),
    );
  } else {
    io.out(`config: ${config.sources.length ? config.sources.join(', ') : '(defaults only)'}`);
    for (const n of notices) io.out(`notice: ${n.message}`);
    for (const w of warnings) io.err(`warning ${w.code}: ${w.message}`);
    io.out('import plugins, in order:');
    if (plugins.length === 0) io.out('  (none: [image_import_opts] image_import_plugins is empty)');
    plugins.forEach((p, i) => {
      io.out(`  ${i + 1}. ${p.name}  ${p.entryPoint.packageName}@${p.entryPoint.packageVersion}  [${p.group}]`);
      if (p.meta.description) io.out(`     ${p.meta.description}`);
    });
    if (stores.length) {
      io.out('stores (enabled_backends; each of a driver type reached, its credentials and container or bucket checked):');
      for (const s of stores) io.out(`  ${s.id}  ${s.type}`);
    }
    io.out(`flow of a glance-direct import (engine_mode ${engine.engine_mode}, max_workers ${engine.max_workers}):`);
    for (const line of describeFlow(flow)) io.out(`  ${line}`);
    if (identity.mode === 'trusted-auth') io.out('identity: trusted headers of a fronting proxy (X-Identity-Status: Confirmed)');
    if (identity.keystone) {
      io.out(`identity: Keystone at ${identity.keystone.authUrl}, service user ${identity.keystone.credentials.describe}`);
      const k = (await probe(identity))!;
      io.out(`  authenticated as ${k.user} (roles ${k.roles.join(', ')}; token expires ${k.expiresAt}); tokens validated at ${k.identityUrl}`);
    }
    io.out('OK');
  }
  return EXIT.ok;
}

/**
 * Keystone mode: authenticate as the service user and validate that token where requests' tokens
 * will be validated. An unreachable Keystone or refused credentials throw, so the check fails.
 */
async function probe(identity: IdentityConfig) {
  if (!identity.keystone) return undefined;
  const own = await new KeystoneAuth(identity.keystone).probe();
  const i = own.info;
  return {
    user: `${i.userName ?? i.userId}${i.projectName ? ` in project ${i.projectName}` : ''}`,
    roles: i.roles,
    expiresAt: i.expiresAt.toISOString(),
    identityUrl: own.identityUrl,
    interface: identity.keystone.interface,
  };
}

export const configCheckCommand: Command = {
  name: 'config check',
  summary: 'Load the config, resolve image_import_plugins in order, print the import flow',
  description:
    'Exits 1 with the GI_* code and a hint for the first problem: an unknown option, a bad value, a plugin that cannot be found or loaded, a plugin order that cannot work.',
  options: { ...configOptions, ...jsonOption },
  run: (v, _p, io) => configCheck(v as ConfigCheckArgs, io),
};
