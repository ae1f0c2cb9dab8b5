import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

/** Field names whose values never reach a log line. */
const REDACT = ['password', 'token', 'authorization', 'secret', '*.password', '*.token', '*.authorization', '*.secret', 'req.headers.authorization', 'req.headers.cookie'];

/** How long a buffered log line may wait for more before it is written (ms). */
export const LOG_FLUSH_MS = 250;
/** Lines are written once this many bytes have gathered (or LOG_FLUSH_MS passed). */
const LOG_BUFFER_BYTES = 4096;
/** pino's numeric level of `warn`: lines at it and above are written at once. */
const WARN = 40;

/**
 * The process-wide JSON logger (pino, one line per event, ISO timestamps) on standard output.
 *
 * Lines are written in batches: once 4 KiB have gathered, and at the latest 250 ms after a line, so a
 * busy server makes one write(2) per ~16 request lines instead of one per line (the per-request log
 * line cost ~20 µs of CPU per request, most of it that system call). Warnings and errors are written
 * at once, and everything is written before the process exits (pino flushes on exit; `flush()`
 * writes what waits).
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const stream = destination ?? pino.destination({ sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_MS });
  const flushable = destination === undefined ? (stream as pino.DestinationStream & { flush(): void }) : undefined;
  return pino(
    {
      level,
      base: { component: 'hyperfleet-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: '***' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        logMethod(args, method, lineLevel) {
          method.apply(this, args);
          if (lineLevel >= WARN) flushable?.flush();
        },
      },
    },
    stream,
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
