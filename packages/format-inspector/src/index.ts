// The public surface of @glance-import/format-inspector.
export { inspectFile } from './inspect-file.js';
export { inspectStream, StreamInspector } from './stream.js';
export { assertSafe, type AssertSafeOptions } from './assert.js';
export { remedyFor } from './remedies.js';
export { DEFAULT_VMDK_TYPES, type InspectOptions, type InspectionResult } from './verdict.js';
export type { Check } from './probe.js';
export { inspectorVersion } from './version.js';
export { inspectorErrors } from './errors.js';
