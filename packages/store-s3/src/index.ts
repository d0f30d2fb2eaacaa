// The public surface of @glance-import/store-s3: nothing else is imported from outside the package.
export { createS3Store, s3Store } from './store.js';
export { s3Options, type S3OptionValues } from './options.js';
export { s3Settings, type S3Settings } from './settings.js';
export { s3Errors, type S3ErrorCode } from './errors.js';
