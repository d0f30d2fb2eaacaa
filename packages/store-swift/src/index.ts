// The public surface of @glance-import/store-swift: nothing else is imported from outside the package.
export { createSwiftStore, swiftStore } from './store.js';
export { swiftOptions, SWIFT_MB, type SwiftOptionValues } from './options.js';
export { swiftSettings, type SwiftSettings } from './settings.js';
export type { SwiftAccount, SwiftAccess } from './account.js';
export { swiftErrors, type SwiftErrorCode } from './errors.js';
