/** The log line formats: `json` (one JSON object per line), `text` (for people). */
export type LogFormat = 'json' | 'text';
/** `logging.format`: a format, or `auto` (text on a terminal). */
export type LogFormatSetting = LogFormat | 'auto';

/** `auto` is text when the output is a terminal (a developer's `npm start`), else JSON (containers, files, pipes). */
export function resolveLogFormat(setting: LogFormatSetting, output: { isTTY?: boolean } = process.stdout): LogFormat {
  if (setting !== 'auto') return setting;
  return output.isTTY ? 'text' : 'json';
}

const LEVELS: Record<string, { label: string; color: string }> = {
  trace: { label: 'TRACE', color: '\x1b[90m' },
  debug: { label: 'DEBUG', color: '\x1b[90m' },
  info: { label: 'INFO ', color: '\x1b[32m' },
  warn: { label: 'WARN ', color: '\x1b[33m' },
  error: { label: 'ERROR', color: '\x1b[31m' },
  fatal: { label: 'FATAL', color: '\x1b[1;31m' },
};
const RESET = '\x1b[0m';
const DIM = '\x1b[2m';
/** Fields every line has, or that the text form shows in its own place. */
const SHOWN_ELSEWHERE = new Set(['level', 'time', 'msg', 'component', 'context', 'err']);
const REQUEST_FIELDS = new Set(['method', 'path', 'status', 'duration_ms', 'route']);

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/**
 * Renders one pino JSON line for a person: `HH:MM:SS.mmm LEVEL [context] message key=value …`, a request as
 * `GET /path 200 1.2 ms`, an error's stack on the lines below. A line that is not JSON is passed through.
 */
export function formatLogLine(line: string, options: { color?: boolean } = {}): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const paint = (color: string, text: string) => (options.color ? `${color}${text}${RESET}` : text);
  const level = LEVELS[String(record.level)] ?? { label: String(record.level).toUpperCase().padEnd(5), color: '' };
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : new Date().toISOString().slice(11, 23);
  const isRequest = record.msg === 'request' && typeof record.method === 'string' && typeof record.path === 'string';
  const message = isRequest ? `${String(record.method)} ${String(record.path)} ${String(record.status)} ${String(record.duration_ms)} ms` : String(record.msg ?? '');
  const fields = Object.entries(record)
    .filter(([k, v]) => !SHOWN_ELSEWHERE.has(k) && v !== undefined && !(isRequest && REQUEST_FIELDS.has(k)))
    .map(([k, v]) => `${k}=${value(v)}`);
  const context = typeof record.context === 'string' && record.context !== 'nest' ? `${paint(DIM, `[${record.context}]`)} ` : '';
  let text = `${paint(DIM, time)} ${paint(level.color, level.label)} ${context}${message}`;
  if (fields.length) text += `  ${paint(DIM, fields.join(' '))}`;
  const err = record.err as { stack?: unknown; message?: unknown } | undefined;
  if (err && typeof err === 'object') text += `\n    ${String(err.stack ?? err.message ?? JSON.stringify(err)).split('\n').join('\n    ')}`;
  return `${text}\n`;
}
