import { decompresses, type ResolvedPlugin } from '@glance-import/core';
import type { Runtime } from '../runtime.js';

export const importEnabled = (rt: Pick<Runtime, 'config'>) => rt.config.values.DEFAULT.enable_image_import;

// The definition is core's (the plugin's format contract); re-exported for the import flow.
export { decompresses };

/** Compressed data may be staged when a configured plugin will decompress it. */
export const acceptsCompressed = (plugins: readonly ResolvedPlugin[]) => plugins.some(decompresses);

export const LOCK_PROPERTY = 'os_glance_import_task';
export const IMPORTING_PROPERTY = 'os_glance_importing_to_stores';
export const FAILED_PROPERTY = 'os_glance_failed_import';
export const INSPECTION_PROPERTY = 'os_glance_inspection';
/** The node holding the staged data (hidden from views); kept until the data is stored. */
export const STAGE_HOST_PROPERTY = 'os_glance_stage_host';

/** Glance's comma-joined sorted store list ("" when empty). */
export const storeList = (stores: Iterable<string>) => [...new Set(stores)].filter(Boolean).sort().join(',');
export const parseStoreList = (v: string | undefined) => (v ? v.split(',').filter(Boolean) : []);
