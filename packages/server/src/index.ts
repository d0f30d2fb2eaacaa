// The public surface of @glance-import/server.
export { createServer, type ServerOptions, type ServerParts, type GlanceServer } from './app.js';
export { buildStores, checkStores, checkStoreConfig, type StoreSet } from './stores.js';
export { versionList } from './routes/versions.js';
export { describeImportFlow } from './import/describe.js';
export { serverErrors } from './errors.js';
export { serverSchema, type ServerConfig } from './options.js';
