import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** This package's version; package.json sits one level above both src/ and dist/. */
export function inspectorVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
