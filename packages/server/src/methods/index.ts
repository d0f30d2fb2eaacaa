import { copyImage } from './copy-image.js';
import { glanceDirect } from './glance-direct.js';
import { glanceDownload } from './glance-download.js';
import type { ImportMethod } from './method.js';
import { webDownload } from './web-download.js';

/** Every import method this server implements; `[DEFAULT] enabled_import_methods` offers some of them. */
export const METHODS: readonly ImportMethod[] = [glanceDirect, webDownload, copyImage, glanceDownload];

/** The method of that name (a task record names its method). */
export const methodNamed = (name: string): ImportMethod | undefined => METHODS.find((m) => m.name === name);

export { glanceDirect };
export type { ImportMethod, MethodCheckDeps } from './method.js';
