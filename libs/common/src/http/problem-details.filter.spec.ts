import { ArgumentsHost, BadRequestException } from '@nestjs/common';
import { Writable } from 'node:stream';
import { ConflictError, UnavailableError, ValidationError } from '../errors/errors';
import { HyperfleetError } from '../errors/hyperfleet.error';
import { createLogger } from '../logging/logger';
import { OUTAGE_SUMMARY_MS, ProblemDetailsFilter } from './problem-details.filter';
import { setRequestContext } from './request-context';

function harness(translators: ConstructorParameters<typeof ProblemDetailsFilter>[1] = []) {
  const logged: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      logged.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const filter = new ProblemDetailsFilter(createLogger('info', sink), translators);
  const sent: { status?: number; type?: string; body?: string; headers: Record<string, string> } = { headers: {} };
  const req = { method: 'GET', originalUrl: '/api/hyperfleet/v1/clusters?page=1', url: '/api/hyperfleet/v1/clusters', path: '/api/hyperfleet/v1/clusters' };
  setRequestContext(req as never, { requestId: 'req-1', startedAt: 0n });
  const res = {
    headersSent: false,
    setHeader: (k: string, v: string) => (sent.headers[k] = v),
    status(code: number) {
      sent.status = code;
      return this;
    },
    type(t: string) {
      sent.type = t;
      return this;
    },
    send(body: string) {
      sent.body = body;
      return this;
    },
  };
  const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
  return { run: (err: unknown) => filter.catch(err, host), sent, logged };
}

describe(ProblemDetailsFilter.name, () => {
  it('renders a HyperfleetError as RFC 9457 problem+json with code, instance and trace_id', () => {
    const h = harness();
    h.run(ValidationError.fields('name is required', [{ field: 'name', message: 'name is required', constraint: 'required' }]));
    expect(h.sent.status).toBe(400);
    expect(h.sent.type).toBe('application/problem+json');
    const body = JSON.parse(h.sent.body!);
    expect(body).toMatchObject({
      type: 'https://api.hyperfleet.io/errors/validation-error',
      title: 'Validation Failed',
      status: 400,
      detail: 'name is required',
      instance: '/api/hyperfleet/v1/clusters',
      code: 'HYPERFLEET-VAL-000',
      trace_id: 'req-1',
      errors: [{ field: 'name', message: 'name is required', constraint: 'required' }],
    });
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
  });

  it('answers an unknown error with a generic 500, logs the cause and never sends it', () => {
    const h = harness();
    h.run(new Error('relation "secret_table" does not exist at /srv/app.js:12'));
    expect(h.sent.status).toBe(500);
    expect(h.sent.body).not.toContain('secret_table');
    expect(h.sent.body).not.toContain('app.js');
    expect(JSON.parse(h.sent.body!)).toMatchObject({ code: 'HYPERFLEET-INT-001', status: 500 });
    expect(JSON.stringify(h.logged)).toContain('secret_table');
  });

  it('lets translators turn foreign errors into problems and copies their headers', () => {
    class DriverBoom extends Error {}
    const h = harness([(err) => (err instanceof DriverBoom ? ConflictError.nameTaken('Cluster') : undefined)]);
    h.run(new DriverBoom('duplicate key value violates unique constraint'));
    expect(h.sent.status).toBe(409);
    expect(JSON.parse(h.sent.body!)).toMatchObject({ code: 'HYPERFLEET-CNF-001', detail: 'This Cluster already exists' });

    const withHeader = harness();
    withHeader.run(new HyperfleetError('HYPERFLEET-SVC-001', 'down', undefined, { 'Retry-After': '1' }));
    expect(withHeader.sent.headers['Retry-After']).toBe('1');
    expect(withHeader.sent.status).toBe(503);
  });

  it('maps a Nest HttpException to the code of its status, never to a 5xx', () => {
    const h = harness();
    h.run(new BadRequestException('bad'));
    expect(h.sent.status).toBe(400);
    expect(JSON.parse(h.sent.body!).code).toMatch(/^HYPERFLEET-VAL-/);
  });

  describe('503s of an outage', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('logs the first with its cause, counts the rest in one line per interval, and ends the outage with the totals', () => {
      const h = harness();
      for (let i = 0; i < 40; i++) h.run(i % 4 ? UnavailableError.database() : UnavailableError.timeout(30_000));
      expect(h.sent.status).toBe(503);
      const first = h.logged.filter((l) => l.level === 'error');
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ msg: expect.stringMatching(/^request failed: HYPERFLEET-SVC-002 \(first of an outage/), err: expect.objectContaining({ stack: expect.any(String) }) });

      jest.advanceTimersByTime(OUTAGE_SUMMARY_MS);
      expect(h.logged.at(-1)).toMatchObject({ level: 'warn', answered_503: 39, by_code: { 'HYPERFLEET-SVC-001': 30, 'HYPERFLEET-SVC-002': 9 } });
      h.run(UnavailableError.database());
      jest.advanceTimersByTime(OUTAGE_SUMMARY_MS);
      expect(h.logged.at(-1)).toMatchObject({ level: 'warn', answered_503: 1 });
      // an interval without a 503 ends it
      jest.advanceTimersByTime(OUTAGE_SUMMARY_MS);
      expect(h.logged.at(-1)).toMatchObject({ level: 'info', answered_503: 41, msg: expect.stringMatching(/^outage over: 41 request\(s\) answered 503/) });
      const lines = h.logged.length;
      jest.advanceTimersByTime(10 * OUTAGE_SUMMARY_MS);
      expect(h.logged).toHaveLength(lines);
      // the next outage starts over
      h.run(UnavailableError.database());
      expect(h.logged.at(-1)).toMatchObject({ level: 'error', msg: expect.stringMatching(/^request failed: HYPERFLEET-SVC-001 \(first of an outage/) });
    });

    it('still logs every 500 with its cause', () => {
      const h = harness();
      h.run(UnavailableError.database());
      h.run(new Error('boom one'));
      h.run(new Error('boom two'));
      expect(h.logged.filter((l) => l.level === 'error').map((l) => (l.err as { message: string }).message)).toEqual(['The database is not available; retry later', 'boom one', 'boom two']);
    });
  });
});
