import type { Response } from 'supertest';

/** Asserts a problem+json answer: status, code, and that trace_id is the response's X-Request-ID. */
export function expectProblem(res: Response, status: number, code: string): Record<string, unknown> {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\/api\.hyperfleet\.io\/errors\//), title: expect.any(String), detail: expect.any(String) });
  expect(res.body.trace_id).toBe(res.headers['x-request-id']);
  expect(JSON.stringify(res.body)).not.toMatch(/\bat .*\.(js|ts):\d+|SQLSTATE|pq:|node_modules/);
  return res.body;
}
