import { isGlanceImportError } from '@glance-import/core';
import { cliError } from './errors.js';

/** Where a command writes; tests pass buffers, the binary passes the process streams. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Width of the terminal stdout goes to; undefined when it is no terminal (nothing is cut). */
  readonly columns?: number | undefined;
  /** Whether stderr is a terminal (progress bars redraw in place). */
  readonly tty?: boolean;
  /** Progress bars: stderr as it is, no newline added; without it they go through err(). */
  progress?(text: string): void;
}

/**
 * A reader that goes away (`glance-import image list | head -1`) closes the pipe: the write fails
 * with EPIPE, which must neither crash the command nor change what it does (an import goes on).
 * Whatever else a stream reports goes the same way: output is best effort, the exit code is not.
 */
function quietOnError(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  stream.on('error', () => {});
  return stream;
}

const lines = (t: string) => (t.endsWith('\n') ? t : `${t}\n`);

export function processIo(): Io {
  const stdout = quietOnError(process.stdout);
  const stderr = quietOnError(process.stderr);
  const env = Number(process.env.COLUMNS);
  return {
    out: (t) => {
      if (!stdout.destroyed) stdout.write(lines(t));
    },
    err: (t) => {
      if (!stderr.destroyed) stderr.write(lines(t));
    },
    progress: (t) => {
      if (!stderr.destroyed) stderr.write(t);
    },
    columns: stdout.isTTY ? stdout.columns : Number.isInteger(env) && env > 0 ? env : undefined,
    tty: Boolean(stderr.isTTY),
  };
}

/** Exit codes are part of the command-line contract. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {}

/** The image service refused a call: its GI_* code and hint, when it sent them. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** `error GI_CODE: message` then `  hint: ...`, the form every command reports errors in; never a stack trace. */
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
  const coded = isGlanceImportError(e) ? e : cliError('GI_CLI_UNEXPECTED', { reason: e instanceof Error ? e.message : String(e) }, { cause: e });
  io.err(`error ${coded.code}: ${coded.message}`);
  io.err(`  hint: ${coded.hint}`);
  if (process.env.GI_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
  return EXIT.failed;
}
