import path from 'node:path';
import { coreErrors, type EntryPointRegistry, pluginMeta } from '@glance-import/core';
import { fileStoreFactory, STORE_DRIVERS_NAMESPACE, type StoreDriver, type StoreDriverFactory } from '@glance-import/store';
import type { ServerConfig } from './options.js';

/** The stores of this node: several (multi-store, `enabled_backends`) or Glance's single store. */
export interface StoreSet {
  readonly multi: boolean;
  readonly byId: ReadonlyMap<string, StoreDriver>;
  readonly defaultId: string;
  /** Where staged data lives. */
  readonly stagingDir: string;
}

const fileUriPath = (uri: string) => (uri.startsWith('file://') ? uri.slice('file://'.length) : uri);

/** A store type's factory: `file` is built in; any other type is an entry point in glance.store.drivers. */
async function factoryFor(type: string, registry: EntryPointRegistry): Promise<StoreDriverFactory> {
  if (type === 'file') return fileStoreFactory;
  return (await registry.driver<StoreDriverFactory>(STORE_DRIVERS_NAMESPACE, type)).value;
}

/**
 * A store of a type from glance.store.drivers. A driver that declares its options (defineStoreDriver)
 * gets its group validated here, errors naming file, line, group and option; else the raw values.
 */
async function driverStore(config: ServerConfig, registry: EntryPointRegistry, id: string, type: string): Promise<StoreDriver> {
  const factory = await factoryFor(type, registry);
  const schema = pluginMeta(factory).options;
  return factory(id, schema ? config.group(id, schema) : Object.fromEntries([...config.rawGroup(id)].map(([k, r]) => [k, r.value])));
}

/**
 * Each store's start-up check (reachable, credentials accepted, container or bucket there), all at once;
 * the first failure in enabled_backends order rejects. A store that cannot work stops the start (or
 * `config check`), not the first import.
 */
export async function checkStores(stores: Iterable<StoreDriver>): Promise<void> {
  const outcomes = await Promise.allSettled([...stores].map((s) => s.check?.()));
  const failed = outcomes.find((o) => o.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * What `config check` does for the stores, without touching a disk: every store's group is validated
 * and every store of a driver type is built and checked. Returns the stores as `id`, `type`.
 */
export async function checkStoreConfig(config: ServerConfig, registry: EntryPointRegistry): Promise<Array<{ id: string; type: string }>> {
  const backends = Object.entries(config.values.DEFAULT.enabled_backends ?? {});
  const drivers: StoreDriver[] = [];
  for (const [id, type] of backends) {
    if (type === 'file') config.store(id);
    else drivers.push(await driverStore(config, registry, id, type));
  }
  await checkStores(drivers);
  return backends.map(([id, type]) => ({ id, type }));
}

/**
 * Embedded default (nothing configured): multi-store with one file store `local` under the data
 * dir, so /v2/info/stores answers as a multi-store Glance does. A config that names
 * `[glance_store] filesystem_store_datadir` without `enabled_backends` gets Glance's single store.
 */
export async function buildStores(config: ServerConfig, dataDir: string, registry: EntryPointRegistry): Promise<StoreSet> {
  const v = config.values;
  const single = config.storeIds.length === 0 && config.rawGroup('glance_store').has('filesystem_store_datadir');
  if (single) {
    const dir = path.resolve(v.glance_store.filesystem_store_datadir!);
    return {
      multi: false,
      byId: new Map([['default', fileStoreFactory('default', { filesystem_store_datadir: dir })]]),
      defaultId: 'default',
      stagingDir: fileUriPath(v.DEFAULT.node_staging_uri ?? `file://${path.join(dataDir, 'staging')}`),
    };
  }
  const backends = config.storeIds.length ? v.DEFAULT.enabled_backends! : { local: 'file' };
  const byId = new Map<string, StoreDriver>();
  for (const [id, type] of Object.entries(backends)) {
    if (id.startsWith('os_glance_'))
      throw coreErrors.error('GI_CONFIG_INVALID_VALUE', {
        file: '(config)',
        group: 'DEFAULT',
        option: 'enabled_backends',
        reason: `store id '${id}' uses the reserved os_glance_ prefix`,
      });
    if (type === 'file') {
      const g = config.storeIds.length
        ? config.store(id)
        : { filesystem_store_datadir: path.join(dataDir, 'images'), store_description: 'Local file store', weight: 0 };
      byId.set(id, fileStoreFactory(id, { ...g, filesystem_store_datadir: path.resolve(g.filesystem_store_datadir ?? path.join(dataDir, 'stores', id)) }));
    } else {
      byId.set(id, await driverStore(config, registry, id, type));
    }
  }
  const staging =
    v.os_glance_staging_store.filesystem_store_datadir ??
    (v.DEFAULT.node_staging_uri ? fileUriPath(v.DEFAULT.node_staging_uri) : path.join(dataDir, 'staging'));
  return { multi: true, byId, defaultId: v.glance_store.default_backend ?? Object.keys(backends)[0]!, stagingDir: path.resolve(staging) };
}
