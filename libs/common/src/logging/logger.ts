import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/** Field names whose values never reach a log line. */
const REDACT = ['password', 'token', 'authorization', 'secret', '*.password', '*.token', '*.authorization', '*.secret', 'req.headers.authorization', 'req.headers.cookie'];

/** The process-wide JSON logger (pino, one line per event, ISO timestamps). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, base: { component: 'hyperfleet-api' }, timestamp: pino.stdTimeFunctions.isoTime, redact: { paths: REDACT, censor: '***' }, formatters: { level: (label) => ({ level: label }) } },
    destination ?? pino.destination({ sync: false }),
  );
}

/** Lets Nest's own messages go through the same JSON logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}

/** Injection token of the pino logger. */
export const LOGGER = Symbol('LOGGER');
export type { Logger };
