/** The reserved image properties an import keeps (the lock's own, os_glance_import_task, lives in lock.ts). */
export const IMPORTING_PROPERTY = 'os_glance_importing_to_stores';
export const FAILED_PROPERTY = 'os_glance_failed_import';
export const INSPECTION_PROPERTY = 'os_glance_inspection';
/** The node holding the staged data (hidden from views); kept until the data is stored. */
export const STAGE_HOST_PROPERTY = 'os_glance_stage_host';

/** Glance's comma-joined sorted store list ("" when empty). */
export const storeList = (stores: Iterable<string>) => [...new Set(stores)].filter(Boolean).sort().join(',');
export const parseStoreList = (v: string | undefined) => (v ? v.split(',').filter(Boolean) : []);
