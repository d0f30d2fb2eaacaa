export interface GlanceImportErrorJSON {
  code: string;
  message: string;
  hint: string;
  details?: Record<string, unknown>;
}

/**
 * Every error glance-import raises on purpose: a stable `GI_*` code that scripts and operators match
 * on, a message, and a hint telling a person what to do next. Built by a package's own
 * `defineErrors` table, never directly.
 */
export class GlanceImportError<C extends string = string> extends Error {
  override readonly name = 'GlanceImportError';
  readonly code: C;
  readonly hint: string;
  readonly status: number | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: C, message: string, hint: string, details: Record<string, unknown>, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = hint;
    this.status = options?.status;
    this.details = details;
  }

  toJSON(): GlanceImportErrorJSON {
    return { code: this.code, message: this.message, hint: this.hint, details: this.details };
  }
}

/**
 * True for any glance-import error, whichever copy of this package made it: a host may hold several
 * copies (a plugin's own, the server's), so `instanceof` would lie.
 */
export function isGlanceImportError(e: unknown, code?: string): e is GlanceImportError<string> {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as { name?: unknown }).name === 'GlanceImportError' &&
    typeof (e as { code?: unknown }).code === 'string' &&
    (code === undefined || (e as { code: string }).code === code)
  );
}

/** A readable one-line reason for any thrown value. */
export function reasonOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : JSON.stringify(e);
}
