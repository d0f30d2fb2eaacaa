import { GlanceImportError, isGlanceImportError } from './error.js';

export type ErrorParams = Record<string, unknown>;

/** One code's entry in a package's table. */
export interface ErrorDefinition<P extends ErrorParams = ErrorParams> {
  /** HTTP status when the error reaches an API client. */
  status?: number;
  message: (p: P) => string;
  hint: string | ((p: P) => string);
}

// `any` here only lets each entry keep its own parameter type; `error()` checks them per code.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ErrorTable = Record<string, ErrorDefinition<any>>;

export type ParamsOf<D> = D extends ErrorDefinition<infer P> ? P : never;

/** Types one entry's parameters: `GI_X_Y: def<{ file: string }>({ message: (p) => ..., hint: '...' })`. */
export const def = <P extends ErrorParams = Record<string, never>>(d: ErrorDefinition<P>): ErrorDefinition<P> => d;

export interface Errors<T extends ErrorTable> {
  /** The prefixes this package owns; every code of `table` starts with one of them. */
  readonly prefixes: readonly string[];
  readonly table: T;
  /** Builds a coded error: message and hint from the table, `params` kept as `details`. */
  error<C extends keyof T & string>(code: C, params: ParamsOf<T[C]>, options?: { cause?: unknown }): GlanceImportError<C>;
  /** Whether `e` is one of this table's errors (the given code, or any of them). */
  is<C extends keyof T & string>(e: unknown, code?: C): e is GlanceImportError<C>;
}

/**
 * A package's own error codes. A code outside the package's prefixes is a programming error and
 * throws at load, so a package cannot raise another package's codes by accident.
 */
export function defineErrors<const T extends ErrorTable>(prefix: string | readonly string[], table: T): Errors<T> {
  const prefixes = typeof prefix === 'string' ? [prefix] : [...prefix];
  for (const p of prefixes) {
    if (!/^GI_[A-Z0-9]+_$/.test(p)) throw new TypeError(`Error prefix '${p}' must look like GI_<AREA>_.`);
  }
  for (const code of Object.keys(table)) {
    if (!prefixes.some((p) => code.startsWith(p))) {
      throw new TypeError(`Error code '${code}' is outside this package's prefixes (${prefixes.join(', ')}).`);
    }
  }
  return {
    prefixes,
    table,
    error(code, params, options) {
      const d = table[code] as ErrorDefinition;
      const p = params as ErrorParams;
      const hint = typeof d.hint === 'function' ? d.hint(p) : d.hint;
      return new GlanceImportError(code, d.message(p), hint, p, { cause: options?.cause, status: d.status });
    },
    is(e, code): e is GlanceImportError<never> {
      if (!isGlanceImportError(e)) return false;
      return code === undefined ? Object.hasOwn(table, e.code) : e.code === code;
    },
  };
}
