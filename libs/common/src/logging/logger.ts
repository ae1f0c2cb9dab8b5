import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { formatLogLine, LogFormat } from './text-format';

/** Field names whose values never reach a log line. */
const REDACT = ['password', 'token', 'authorization', 'secret', '*.password', '*.token', '*.authorization', '*.secret', 'req.headers.authorization', 'req.headers.cookie'];

/** How long a buffered log line may wait for more before it is written (ms). */
const LOG_FLUSH_MS = 250;
/** Lines are written once this many bytes have gathered (or LOG_FLUSH_MS passed). */
const LOG_BUFFER_BYTES = 4096;
/** pino's numeric level of `warn`: lines at it and above are written at once. */
const WARN = 40;

/**
 * The process-wide logger (pino, one line per event, ISO timestamps) on standard output: JSON lines, or
 * with `format: 'text'` the same events rendered for a person (formatLogLine), written at once.
 *
 * JSON lines are written in batches: once 4 KiB have gathered, and at the latest 250 ms after a line, so a
 * busy server makes one write(2) per ~16 request lines instead of one per line (the request line cost
 * 15–25 µs of CPU per GET in single runs, pino's own work 6–7 µs of it; docs/performance.md, change 12).
 * Warnings and errors are written at once; what waits is written when the process exits (pino flushes
 * on exit, not after a SIGKILL) or when `flush()` is called.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, format: LogFormat = 'json'): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { component: 'hyperfleet-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: '***' },
    formatters: { level: (label) => ({ level: label }) },
  };
  if (format === 'text') {
    const out = destination ?? process.stdout;
    const color = !destination && process.stdout.isTTY === true && !process.env.NO_COLOR;
    return pino(options, { write: (line: string) => out.write(formatLogLine(line, { color })) });
  }
  // standard output, unless the caller gives a destination of its own (tests)
  const stdout = destination ? undefined : pino.destination({ sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_MS });
  return pino(
    {
      ...options,
      hooks: {
        logMethod(args, method, lineLevel) {
          method.apply(this, args);
          if (lineLevel >= WARN) stdout?.flush();
        },
      },
    },
    destination ?? stdout!,
  );
}

/** Nest's start-up chatter (a line per module and per route): debug, so `info` shows what matters. */
const NEST_START_UP = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** Lets Nest's own messages go through the same logger. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string): void {
    if (context && NEST_START_UP.has(context)) this.logger.debug({ context }, String(message));
    else this.logger.info({ context }, String(message));
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
