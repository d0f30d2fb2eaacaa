import { readFileSync } from 'node:fs';

export const CORE_PACKAGE = '@glance-import/core';

let cached: string | undefined;

/** The running core's version; read from package.json next to src/ or dist/ (both one level down). */
export function coreVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
