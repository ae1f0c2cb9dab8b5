import { Writable } from 'node:stream';
import { createLogger, NestPinoLogger } from './logger';
import { formatLogLine, resolveLogFormat } from './text-format';

const line = (record: Record<string, unknown>) => JSON.stringify({ level: 'info', time: '2026-12-07T10:11:12.345Z', component: 'hyperfleet-api', ...record });

describe(resolveLogFormat.name, () => {
  it('is text on a terminal and JSON elsewhere when auto; an explicit format wins', () => {
    expect(resolveLogFormat('auto', { isTTY: true })).toBe('text');
    expect(resolveLogFormat('auto', { isTTY: false })).toBe('json');
    expect(resolveLogFormat('auto', {})).toBe('json');
    expect(resolveLogFormat('json', { isTTY: true })).toBe('json');
    expect(resolveLogFormat('text', {})).toBe('text');
  });
});

describe(formatLogLine.name, () => {
  it('writes time, level, context and message, then the other fields as key=value', () => {
    expect(formatLogLine(line({ context: 'Migrations', msg: 'applied 1 migration(s)', waited_ms: 12, applied: ['M1'], note: 'two words' }))).toBe(
      '10:11:12.345 INFO  [Migrations] applied 1 migration(s)  waited_ms=12 applied=["M1"] note="two words"\n',
    );
  });

  it('writes a request as method, path, status and duration', () => {
    const text = formatLogLine(line({ msg: 'request', request_id: 'r-1', method: 'GET', route: '/api/hyperfleet/v1/clusters', path: '/api/hyperfleet/v1/clusters', status: 200, duration_ms: 1.25 }));
    expect(text).toBe('10:11:12.345 INFO  GET /api/hyperfleet/v1/clusters 200 1.25 ms  request_id=r-1\n');
  });

  it("puts an error's stack on the lines below, indented", () => {
    const text = formatLogLine(line({ level: 'error', msg: 'request failed: HYPERFLEET-INT-001', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x (y.ts:1:1)' } }));
    expect(text).toBe('10:11:12.345 ERROR request failed: HYPERFLEET-INT-001\n    Error: boom\n        at x (y.ts:1:1)\n');
  });

  it('keeps a multi-line message whole and colours only when asked', () => {
    expect(formatLogLine(line({ msg: 'ready\n  API  http://x' }))).toBe('10:11:12.345 INFO  ready\n  API  http://x\n');
    expect(formatLogLine(line({ level: 'warn', msg: 'careful' }), { color: true })).toBe('\x1b[2m10:11:12.345\x1b[0m \x1b[33mWARN \x1b[0m careful\n');
  });

  it('passes a line that is not JSON through', () => {
    expect(formatLogLine('plain words')).toBe('plain words\n');
  });
});

describe('createLogger', () => {
  function capture(format: 'json' | 'text'): { out: string[]; logger: ReturnType<typeof createLogger> } {
    const out: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        out.push(chunk.toString());
        done();
      },
    });
    return { out, logger: createLogger('info', sink, format) };
  }

  it('writes text lines in the text format, with secrets masked as in JSON', () => {
    const { out, logger } = capture('text');
    logger.info({ password: 'hunter2', port: 8000 }, 'hello');
    expect(out.join('')).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}hello {2}password=\*\*\* port=8000\n$/);
  });

  it("sends Nest's start-up chatter to debug, its other messages to info", () => {
    const { out, logger } = capture('json');
    const nest = new NestPinoLogger(logger);
    nest.log('Mapped {/api/hyperfleet/v1/clusters, GET} route', 'RouterExplorer');
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('something else', 'MikroORM');
    expect(out.map((l) => JSON.parse(l).msg)).toEqual(['something else']);
  });
});
