// The public surface of @glance-import/console: where the built console is, and how it must be served.
import { fileURLToPath } from 'node:url';

/**
 * The folder of the built console (`index.html`, `assets/`), written by this package's `pnpm build`.
 * The same relative step works from `src/` (tests against sources) and from `dist/` (installed).
 */
export function consoleDir(): string {
  return fileURLToPath(new URL('../dist/app/', import.meta.url));
}

/**
 * The Content-Security-Policy of every console response: only this origin's own script and style
 * files and API calls, no inline code, no plugins, no framing, and Trusted Types enforced, so no
 * string can reach an HTML sink (innerHTML and friends) even by mistake.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');
