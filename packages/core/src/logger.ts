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
  const at = (level: LogRecord['level']): LogFn => ((a: string | Record<string, unknown>, b?: string) => {
    records.push(typeof a === 'string' ? { level, msg: a, fields: { ...bindings } } : { level, msg: b ?? '', fields: { ...bindings, ...a } });
  }) as LogFn;
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (more) => memoryLogger(records, { ...bindings, ...more }) };
}
