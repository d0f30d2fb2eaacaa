// The public surface of @glance-import/server.
export { createServer, type ServerOptions, type GlanceServer } from './app.js';
export type { Runtime } from './runtime.js';
export { buildStores, type StoreSet } from './stores.js';
export { versionList } from './routes/versions.js';
export { describeImportFlow } from './import/describe.js';
export { serverErrors } from './errors.js';
