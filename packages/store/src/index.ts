// The public surface of @glance-import/store: nothing else is imported from outside the package.
export {
  STORE_DRIVERS_NAMESPACE,
  CHUNK_SIZE,
  type HashResult,
  type ByteLimits,
  type WriteOptions,
  type Source,
  type ByteRange,
  type StoreDriver,
  type StoreDriverFactory,
} from './types.js';
export { createHasher, checkHashAlgo, DEFAULT_HASH_ALGO, type Hasher } from './hash.js';
export { measure, hashStream, isMeasured, type Measured } from './measure.js';
export { stageWithHashes, stagedHashes } from './staged-hashes.js';
export { rememberFileHashes, knownFileHashes, forgetFileHashes } from './file-hashes.js';
export { createWorkerHasher, type WorkerHasher } from './worker-hash.js';
export { fileWriter, type FileWriter, type FileWriterOptions } from './file-writer.js';
export { StagingArea, STAGING_STORE, type SweepOptions, type StagingEntry } from './staging.js';
export { UPLOAD, UPLOAD_OFFSET, CHECKPOINT_BYTES, type UploadOptions } from './stage-upload.js';
export { createFileStore, fileStoreFactory, type FileStoreOptions } from './file-store.js';
export { writeToStores, type FanOutResult, type FanOutOptions, type StoreOutcome } from './fan-out.js';
export { fileToStores } from './fan-out-file.js';
export { FaultyStore, type Fault } from './faulty-store.js';
export { isUuid } from './image-id.js';
export {
  defineStoreDriver,
  parseStoreOptions,
  type StoreDriverSpec,
  type DefinedStoreDriver,
  type StoreOptionSpec,
  type StoreOptionSchema,
  type StoreOptionValues,
} from './define-driver.js';
export { storeErrors } from './errors.js';
