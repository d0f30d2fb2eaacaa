// The public surface of @glance-import/db.
export { openDatabase, databaseOn, sqlitePath, type Database } from './open.js';
export { ImageRepository, IMAGE_SORT_KEYS } from './images.js';
export { TaskRepository, TASK_SORT_KEYS } from './tasks.js';
export { TokenRepository } from './tokens.js';
export { SqlFlowPersistence } from './flows.js';
export { MIGRATIONS, migrate } from './migrations.js';
export { SqliteDriver } from './sql/sqlite.js';
export { isUniqueViolation, type SqlDriver, type SqlExecutor, type SqlValue } from './sql/driver.js';
export * from './types.js';
export { dbErrors } from './errors.js';
