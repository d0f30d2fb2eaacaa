import { describe, expect, it } from 'vitest';
import { contextLogger, type LogFn, type Logger } from './logger.js';

/** A base logger that keeps each call's arguments, as pino would receive them. */
function recording() {
  const calls: unknown[][] = [];
  const fn: LogFn = ((...args: unknown[]) => {
    calls.push(args);
  }) as LogFn;
  const base: Logger = { debug: fn, info: fn, warn: fn, error: fn, child: () => base };
  return { base, calls };
}

describe('contextLogger', () => {
  it('adds its context to every record, each key once: children and call fields replace, never repeat', () => {
    const { base, calls } = recording();
    const log = contextLogger(base, { request_id: 'r', image_id: 'i' });
    log.info('started');
    log.child({ plugin: 'p', image_id: 'i' }).warn({ image_id: 'i2', size: 5 }, 'padded');
    expect(calls).toEqual([
      [{ request_id: 'r', image_id: 'i' }, 'started'],
      [{ request_id: 'r', image_id: 'i2', plugin: 'p', size: 5 }, 'padded'],
    ]);
  });
});
