import { type Logger, pino } from 'pino';

export type { Logger } from 'pino';

/** Structured JSON logs, one logger per process, named after it. */
export function createLogger(name: string, level: string): Logger {
  return pino({ name, level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}
