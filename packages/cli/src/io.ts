import { isGlanceImportError } from '@glance-import/core';

/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

/** Exit codes are part of the command-line contract. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {}

/** The image service refused a call (its GI_* code and hint, when it sent them) or could not be reached. */
export class RemoteError extends Error {
  constructor(message: string, readonly code?: string, readonly hint?: string) {
    super(message);
  }
}

/** `error GI_CODE: message` then `  hint: ...`, the form every command reports errors in. */
export function reportError(io: Io, e: unknown): number {
  if (e instanceof UsageError) {
    io.err(`usage error: ${e.message}`);
    return EXIT.usage;
  }
  if (e instanceof RemoteError) {
    io.err(`error${e.code ? ` ${e.code}` : ''}: ${e.message}`);
    if (e.hint) io.err(`  hint: ${e.hint}`);
    return EXIT.failed;
  }
  if (isGlanceImportError(e)) {
    io.err(`error ${e.code}: ${e.message}`);
    io.err(`  hint: ${e.hint}`);
    return EXIT.failed;
  }
  io.err(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return EXIT.failed;
}

/** Left-aligned columns. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}
