// The public surface of @glance-import/db.
export { openDatabase, databaseOn, type Database, type OpenOptions } from './open.js';
export { parseDatabaseUrl, defaultDatabaseUrl, hidePassword, type DatabaseTarget } from './url.js';
export { databaseSchema, databaseGroups, databaseSettings, type DatabaseOptions, type DatabaseSettings } from './options.js';
export { ImageRepository } from './images.js';
export { IMAGE_SORT_KEYS } from './image-list.js';
export { TaskRepository, TASK_SORT_KEYS } from './tasks.js';
export { TokenRepository } from './tokens.js';
export { SqlFlowPersistence } from './flows.js';
export { MIGRATIONS } from './migrations.js';
export { migrate, schemaStatus, requireCurrentSchema, LATEST_SCHEMA, type SchemaStatus } from './schema.js';
export { SqliteDriver } from './sql/sqlite.js';
export { PostgresDriver, type PoolSettings } from './sql/postgres.js';
export { isUniqueViolation, type SqlDriver, type SqlExecutor, type SqlValue } from './sql/driver.js';
export * from './types.js';
export { dbErrors } from './errors.js';
