import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** JSON lines (pino) with the level's name and an ISO time, readable as they are and with `pino-pretty`. */
export const serviceLogOptions = (level: string): LoggerOptions => ({
  level,
  formatters: { level: (label) => ({ level: label }) },
  timestamp: pino.stdTimeFunctions.isoTime,
});

/** The service's log; `destination` defaults to stdout. */
export function serviceLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(serviceLogOptions(level), destination) : pino(serviceLogOptions(level));
}
