/** The logging surface tasks and plugins use; pino loggers satisfy it, and so does `silentLogger`. */
export interface LogFn {
  (msg: string): void;
  (fields: Record<string, unknown>, msg?: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => {};

export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger };

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps records in memory, for tests and `@glance-import/testing`. */
export function memoryLogger(records: LogRecord[] = [], bindings: Record<string, unknown> = {}): Logger & { records: LogRecord[] } {
  const at = (level: LogRecord['level']): LogFn =>
    ((a: string | Record<string, unknown>, b?: string) => {
      records.push(typeof a === 'string' ? { level, msg: a, fields: { ...bindings } } : { level, msg: b ?? '', fields: { ...bindings, ...a } });
    }) as LogFn;
  return {
    records,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => memoryLogger(records, { ...bindings, ...more }),
  };
}

/**
 * A logger that adds `context` to each record, every key once. A pino child binds its keys on top
 * of its parent's, so `log.child({ image_id }).info({ image_id }, ...)` writes a JSON line with
 * `image_id` twice, which JSON tools read differently (or refuse); here a child, and the fields of
 * a call, replace the context's value of a key instead.
 */
export function contextLogger(base: Logger, context: Record<string, unknown> = {}): Logger {
  const at = (fn: LogFn): LogFn =>
    ((a: string | Record<string, unknown>, b?: string) => {
      if (typeof a === 'string') fn(context, a);
      else fn({ ...context, ...a }, b);
    }) as LogFn;
  return {
    debug: at(base.debug.bind(base)),
    info: at(base.info.bind(base)),
    warn: at(base.warn.bind(base)),
    error: at(base.error.bind(base)),
    child: (more) => contextLogger(base, { ...context, ...more }),
  };
}
