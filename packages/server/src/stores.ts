import path from 'node:path';
import type { GlanceConfig } from '@glance-import/core';
import { createFileStore, type StoreDriver } from '@glance-import/store';

/** The stores of this node: several (multi-store, `enabled_backends`) or Glance's single store. */
export interface StoreSet {
  readonly multi: boolean;
  readonly byId: ReadonlyMap<string, StoreDriver>;
  readonly defaultId: string;
  /** Where staged data lives. */
  readonly stagingDir: string;
}

const fileUriPath = (uri: string) => (uri.startsWith('file://') ? uri.slice('file://'.length) : uri);

/**
 * Embedded default (nothing configured): multi-store with one file store `local` under the data
 * dir, so /v2/info/stores answers as a multi-store Glance does. A config that names
 * `[glance_store] filesystem_store_datadir` without `enabled_backends` gets Glance's single store.
 */
export function buildStores(config: GlanceConfig, dataDir: string): StoreSet {
  const v = config.values;
  const single = config.storeIds.length === 0 && config.rawGroup('glance_store').has('filesystem_store_datadir');
  if (single) {
    const dir = path.resolve(v.glance_store.filesystem_store_datadir!);
    return {
      multi: false, byId: new Map([['default', createFileStore('default', { dir })]]), defaultId: 'default',
      stagingDir: fileUriPath(v.DEFAULT.node_staging_uri ?? `file://${path.join(dataDir, 'staging')}`),
    };
  }
  const ids = config.storeIds.length ? config.storeIds : ['local'];
  const byId = new Map<string, StoreDriver>();
  for (const id of ids) {
    const g = config.storeIds.length ? config.store(id) : { filesystem_store_datadir: path.join(dataDir, 'images'), store_description: 'Local file store', weight: 0 };
    const dir = path.resolve(g.filesystem_store_datadir ?? path.join(dataDir, 'stores', id));
    byId.set(id, createFileStore(id, { dir, ...(g.store_description ? { description: g.store_description } : {}), weight: g.weight ?? 0 }));
  }
  const staging = v.os_glance_staging_store.filesystem_store_datadir ?? (v.DEFAULT.node_staging_uri ? fileUriPath(v.DEFAULT.node_staging_uri) : path.join(dataDir, 'staging'));
  return { multi: true, byId, defaultId: v.glance_store.default_backend ?? ids[0]!, stagingDir: path.resolve(staging) };
}
