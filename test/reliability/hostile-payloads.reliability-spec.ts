import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Response } from 'supertest';
import { MAX_JSON_DEPTH } from '@app/common';
import { buildReport } from '../factories/adapter-status.factory';
import { buildCluster, clusterName, createCluster } from '../factories/cluster.factory';
import { createNodePool } from '../factories/node-pool.factory';
import { adminQuery } from '../setup/pg-admin';
import { answerProblem, Tally } from '../support/bad-input';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

// Hostile payloads, one by one: bodies at and over the size limit, deep nesting, very long strings, 10k
// labels, invalid UTF-8, wrong content types, a BOM, duplicate keys, prototype keys, extreme numbers, and
// memory while 50 bodies of 900 KB arrive at once. Every answer also passes the bad-input pass condition
// (2xx, or a 4xx problem+json with trace_id = X-Request-ID; never 5xx or internals).

const API = '/api/hyperfleet/v1';
const CLUSTERS = `${API}/clusters`;
const MiB = 1024 * 1024;

interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, any>;
}

/** Node's gc(), for memory measurements that are about retained memory rather than garbage. */
function exposeGc(): () => void {
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
}

describe('hostile payloads', () => {
  let t: TestApp;
  let base: string;
  let limit: number;
  const tally = new Tally();
  const figures: Record<string, unknown> = {};

  const toSupertestLike = (res: RawResponse): Response =>
    ({ status: res.status, text: res.text, body: res.body, headers: Object.fromEntries(res.headers.entries()) }) as unknown as Response;

  /** Counts an answer under a scenario and asserts the pass condition (and the status, when given); returns it. */
  const seen = <R extends Response | RawResponse>(scenario: string, res: R, status?: number): R => {
    const r = res.headers instanceof Headers ? toSupertestLike(res as RawResponse) : (res as Response);
    const problem = answerProblem(r);
    tally.count(scenario, r, !!problem);
    expect({ scenario, problem }).toEqual({ scenario, problem: undefined });
    if (status !== undefined) expect({ status: res.status, text: res.status === status ? '' : res.text.slice(0, 500) }).toEqual({ status, text: '' });
    return res;
  };

  /** A request with exactly these bytes and headers through a real socket (what supertest cannot express). */
  const raw = async (method: string, path: string, body: Uint8Array | string | FormData | undefined, headers: Record<string, string> = {}): Promise<RawResponse> => {
    const res = await fetch(`${base}${path}`, { method, headers, body: body as RequestInit['body'] });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed as Record<string, any> };
  };
  const postJson = (path: string, text: string | Buffer, type = 'application/json') => t.http.post(path).set('Content-Type', type).send(text);
  const count = async (sql: string, params: unknown[] = []) => Number((await adminQuery(t.db.url, sql, params)).rows[0].n);
  const clusterRows = () => count('select count(*)::int as n from clusters');

  beforeAll(async () => {
    t = await startTestApp();
    limit = t.config.server.bodyLimit;
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    process.stdout.write(`\n${tally.report('hostile payloads: requests per scenario (last run)', figures)}\n`);
    await t?.close();
  });

  describe('size', () => {
    it(`accepts a valid body of exactly the limit (1 MiB by default) and stores it intact; one byte more is 413 VAL-008, declared or streamed`, async () => {
      expect(limit).toBe(MiB);
      const bodyOf = (bytes: number) => {
        const name = clusterName();
        const shell = JSON.stringify({ kind: 'Cluster', name, spec: { blob: '' } });
        return { name, text: shell.replace('"blob":""', `"blob":"${'x'.repeat(bytes - shell.length)}"`) };
      };
      const before = await clusterRows();
      const exact = bodyOf(limit);
      expect(Buffer.byteLength(exact.text)).toBe(limit);
      const created = seen('size', await postJson(CLUSTERS, exact.text), 201);
      const blob = JSON.parse(exact.text).spec.blob as string;
      expect(created.body.spec.blob).toBe(blob);
      expect((await t.http.get(`${CLUSTERS}/${created.body.id}`).expect(200)).body.spec.blob).toBe(blob);
      expect(await count('select length(spec->>$1)::int as n from clusters where name = $2', ['blob', exact.name])).toBe(blob.length);
      // the limit counts bytes, not characters: 1000 two-byte characters in a body of exactly the limit
      const multiByte = bodyOf(limit - 1000).text.replace('x'.repeat(1000), 'é'.repeat(1000));
      expect(Buffer.byteLength(multiByte)).toBe(limit);
      seen('size', await postJson(CLUSTERS, multiByte), 201);
      expectProblem(seen('size', await postJson(CLUSTERS, multiByte.replace('"spec"', '"spec" '))), 413, 'HYPERFLEET-VAL-008');

      const over = bodyOf(limit + 1).text;
      expect(Buffer.byteLength(over)).toBe(limit + 1);
      expectProblem(seen('size', await postJson(CLUSTERS, over)), 413, 'HYPERFLEET-VAL-008');
      expectProblem(seen('size', await postJson(CLUSTERS, bodyOf(20 * MiB).text)), 413, 'HYPERFLEET-VAL-008');
      // no Content-Length: the limit holds while the body streams in (64 KiB chunks, 5 MiB in all)
      let sent = 0;
      const stream = new ReadableStream({
        pull(controller) {
          if (sent >= 5 * MiB) return controller.close();
          controller.enqueue(new TextEncoder().encode(sent === 0 ? `{"kind":"Cluster","name":"${clusterName()}","spec":{"blob":"` : 'y'.repeat(64 * 1024)));
          sent += 64 * 1024;
        },
      });
      const streamed = await fetch(`${base}${CLUSTERS}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: stream, duplex: 'half' } as RequestInit);
      const streamedText = await streamed.text();
      seen('size', { status: streamed.status, headers: streamed.headers, text: streamedText, body: JSON.parse(streamedText) });
      expect({ status: streamed.status, code: JSON.parse(streamedText).code }).toEqual({ status: 413, code: 'HYPERFLEET-VAL-008' });
      expect(await clusterRows()).toBe(before + 2);
    });
  });

  describe('deep nesting', () => {
    const objects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
    const arrays = (levels: number) => `${'['.repeat(levels)}1${']'.repeat(levels)}`;
    const clusterWithSpec = (spec: string) => `{"kind":"Cluster","name":"${clusterName()}","spec":${spec}}`;

    it(`rejects spec nested 10k levels deep (arrays or objects) with 400 VAL-006, also ~500k levels in a 1 MB body, and stays up`, async () => {
      const before = await clusterRows();
      for (const spec of [`{"d":${arrays(10_000)}}`, objects(10_000), `{"d":${arrays(500_000)}}`, `{"d":[${'{"a":['.repeat(5_000)}${']}'.repeat(5_000)}]}`]) {
        const body = expectProblem(seen('deep nesting', await postJson(CLUSTERS, clusterWithSpec(spec))), 400, 'HYPERFLEET-VAL-006');
        expect(body.detail).toBe(`Invalid request format: JSON must not be nested more than ${MAX_JSON_DEPTH} levels deep (in spec)`);
      }
      expect(await clusterRows()).toBe(before);
      seen('deep nesting', await t.http.get(CLUSTERS), 200);
    });

    it(`accepts spec nested 100 levels deep (and up to ${MAX_JSON_DEPTH - 1}: the body is level 1) and stores it intact; one more level is 400`, async () => {
      const hundred = seen('deep nesting', await postJson(CLUSTERS, clusterWithSpec(objects(100))), 201);
      expect(JSON.stringify(hundred.body.spec)).toBe(objects(100));
      const [row] = (await adminQuery(t.db.url, 'select spec::text as spec from clusters where id = $1', [hundred.body.id])).rows;
      expect(JSON.stringify(JSON.parse(row.spec as string))).toBe(objects(100));
      seen('deep nesting', await postJson(CLUSTERS, clusterWithSpec(`{"d":${arrays(MAX_JSON_DEPTH - 2)}}`)), 201);
      expectProblem(seen('deep nesting', await postJson(CLUSTERS, clusterWithSpec(`{"d":${arrays(MAX_JSON_DEPTH - 1)}}`))), 400, 'HYPERFLEET-VAL-006');
      // a PATCH with the same deep spec is no change; comparing it is iterative
      const patched = seen('deep nesting', await t.http.patch(`${CLUSTERS}/${hundred.body.id}`).set('Content-Type', 'application/json').send(`{"spec":${objects(100)}}`), 200);
      expect(patched.body.generation).toBe(1);
    });

    it('rejects deep nesting in every other body: PATCH spec, labels, status data, conditions, metadata, force-delete reason', async () => {
      const cluster = await createCluster(t.http);
      const pool = await createNodePool(t.http, cluster.id);
      const deep = arrays(10_000);
      const report = JSON.stringify(buildReport('dns', 1));
      const cases: [string, string, string][] = [
        ['patch', `${CLUSTERS}/${cluster.id}`, `{"spec":{"d":${deep}}}`],
        ['patch', `${CLUSTERS}/${cluster.id}`, `{"labels":{"a":${deep}}}`],
        ['patch', `${CLUSTERS}/${cluster.id}/nodepools/${pool.id}`, `{"spec":${objects(10_000)}}`],
        ['put', `${CLUSTERS}/${cluster.id}/statuses`, report.replace(/}$/, `,"data":{"d":${deep}}}`)],
        ['put', `${CLUSTERS}/${cluster.id}/nodepools/${pool.id}/statuses`, report.replace(/}$/, `,"metadata":{"d":${deep}}}`)],
        ['post', `${CLUSTERS}/${cluster.id}/statuses`, report.replace('"conditions":[', `"conditions":[${deep},`)],
        ['post', `${CLUSTERS}/${cluster.id}/force-delete`, `{"reason":${deep}}`],
        ['post', `${CLUSTERS}/${cluster.id}/nodepools`, `{"kind":"NodePool","name":"np-deep","spec":{},"labels":${objects(10_000)}}`],
      ];
      for (const [method, path, text] of cases) expectProblem(seen('deep nesting', await t.http[method as 'put'](path).set('Content-Type', 'application/json').send(text)), 400, 'HYPERFLEET-VAL-006');
      const after = await t.http.get(`${CLUSTERS}/${cluster.id}`).expect(200);
      expect(after.body).toMatchObject({ generation: 1, spec: cluster.spec, labels: cluster.labels });
      expect(await count('select count(*)::int as n from adapter_statuses where owner_id = $1 or owner_id = $2', [cluster.id, pool.id])).toBe(0);
    });
  });

  describe('very long strings', () => {
    it('rejects over-long names, label keys and values, reasons, adapters and searches with a 400 that does not echo them whole', async () => {
      const cluster = await createCluster(t.http);
      const huge = 'a'.repeat(200_000);
      const cases: [string, Promise<Response>, string][] = [
        ['name', t.http.post(CLUSTERS).send(buildCluster({ name: huge })), 'HYPERFLEET-VAL-000'],
        ['node pool name', t.http.post(`${CLUSTERS}/${cluster.id}/nodepools`).send({ kind: 'NodePool', name: 'a'.repeat(16), spec: {} }), 'HYPERFLEET-VAL-000'],
        ['label key', t.http.post(CLUSTERS).send(buildCluster({ labels: { [huge]: 'v' } })), 'HYPERFLEET-VAL-000'],
        ['label value', t.http.post(CLUSTERS).send(buildCluster({ labels: { env: huge } })), 'HYPERFLEET-VAL-000'],
        ['reason', t.http.post(`${CLUSTERS}/${cluster.id}/force-delete`).send({ reason: 'r'.repeat(1025) }), 'HYPERFLEET-VAL-000'],
        ['adapter', t.http.put(`${CLUSTERS}/${cluster.id}/statuses`).send(buildReport(huge, 1)), 'HYPERFLEET-VAL-000'],
        ['kind', t.http.post(CLUSTERS).send(buildCluster({ kind: huge })), 'HYPERFLEET-VAL-000'],
        ['search', t.http.get(CLUSTERS).query({ search: `name = '${'x'.repeat(4100)}'` }), 'HYPERFLEET-VAL-005'],
        ['order', t.http.get(CLUSTERS).query({ order: 'x'.repeat(10_000) }), 'HYPERFLEET-VAL-005'],
      ];
      for (const [what, pending, code] of cases) {
        const res = seen('very long strings', await pending);
        expectProblem(res, 400, code);
        expect({ what, length: res.text.length < 12_000 || what.startsWith('label') }).toEqual({ what, length: true });
      }
      // label errors echo the rejected key/value (CONTRACT R1.5); everything else stays short
      expect(await count('select count(*)::int as n from clusters where length(name) > 53')).toBe(0);
    });

    it('accepts the longest allowed values and long free text, and stores them intact', async () => {
      const name = `l${'a'.repeat(51)}z`;
      const labels = { [`${'p'.repeat(63)}.example.com/${'n'.repeat(63)}`]: 'v'.repeat(63), [`k${'x'.repeat(62)}`]: '' };
      const created = seen('very long strings', await t.http.post(CLUSTERS).send(buildCluster({ name, labels, spec: { text: '😀'.repeat(100_000) } })), 201);
      expect(created.body).toMatchObject({ name, labels });
      const emojiReason = '😀'.repeat(1024); // 1024 code points, 2048 UTF-16 units
      await t.http.delete(`${CLUSTERS}/${created.body.id}`).expect(202);
      const longReport = buildReport('a'.repeat(255), 2, { available: 'False' });
      (longReport.conditions as Record<string, unknown>[])[0].message = 'm'.repeat(300_000);
      const stored = seen('very long strings', await t.http.put(`${CLUSTERS}/${created.body.id}/statuses`).send(longReport), 201);
      expect(stored.body.conditions[0].message).toHaveLength(300_000);
      expect(stored.body.adapter).toHaveLength(255);
      seen('very long strings', await t.http.post(`${CLUSTERS}/${created.body.id}/force-delete`).send({ reason: emojiReason }), 204);
      const [row] = (await adminQuery(t.db.url, 'select length(spec->>$1)::int as n, deleted_at is not null as removed from clusters where id = $2', ['text', created.body.id])).rows;
      expect(row).toEqual({ n: 100_000, removed: true });
      seen('very long strings', await t.http.get(`${CLUSTERS}/${'f'.repeat(12_000)}`), 404);
    });
  });

  describe('many labels', () => {
    it('stores 10k labels on create and replaces them with another 10k on PATCH; 10k bad ones are one 400', async () => {
      const many = (prefix: string) => Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`${prefix}${i}`, `v${i}`]));
      const created = seen('many labels', await t.http.post(CLUSTERS).send(buildCluster({ labels: many('a') })), 201);
      expect(Object.keys(created.body.labels)).toHaveLength(10_000);
      expect(await count('select count(*)::int as n from labels where owner_id = $1 and deleted_at is null', [created.body.id])).toBe(10_000);
      const patched = seen('many labels', await t.http.patch(`${CLUSTERS}/${created.body.id}`).send({ labels: many('b') }), 200);
      expect(patched.body.generation).toBe(2);
      expect(await count("select count(*)::int as n from labels where owner_id = $1 and key like 'b%'", [created.body.id])).toBe(10_000);
      expect(await count('select count(*)::int as n from labels where owner_id = $1', [created.body.id])).toBe(10_000);
      const found = seen('many labels', await t.http.get(CLUSTERS).query({ search: "labels.b9999 = 'v9999'" }), 200);
      expect(found.body.items.map((c: { id: string }) => c.id)).toEqual([created.body.id]);

      const before = await clusterRows();
      const bad = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`-bad${i}`, 'v']));
      const request = JSON.stringify(buildCluster({ labels: bad }));
      const rejected = seen('many labels', await postJson(CLUSTERS, request));
      expect(expectProblem(rejected, 400, 'HYPERFLEET-VAL-000').errors).toHaveLength(10_000);
      figures['10k bad labels: request bytes → problem bytes'] = `${request.length} → ${rejected.text.length}`;
      const atOnce = JSON.stringify(buildCluster({ labels: { ...many('c'), 'bad key': 'v' } }));
      expectProblem(seen('many labels', await postJson(CLUSTERS, atOnce)), 400, 'HYPERFLEET-VAL-000');
      expect(await clusterRows()).toBe(before);
    });
  });

  describe('encodings and content types', () => {
    it.each([
      ['a lone 0xFF byte', [0xff]],
      ['an overlong encoding of "/"', [0xc0, 0xaf]],
      ['a UTF-8-encoded surrogate', [0xed, 0xa0, 0x80]],
      ['a truncated 4-byte sequence', [0xf0, 0x9f, 0x98]],
      ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
      ['a stray continuation byte', [0x80]],
    ])('rejects invalid UTF-8 (%s) with 400 VAL-006', async (_what, bytes) => {
      const before = await clusterRows();
      const body = Buffer.concat([Buffer.from(`{"kind":"Cluster","name":"${clusterName()}","spec":{"s":"`), Buffer.from(bytes), Buffer.from('"}}')]);
      const res = seen('encodings', await raw('POST', CLUSTERS, body, { 'Content-Type': 'application/json' }));
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'HYPERFLEET-VAL-006', detail: 'Invalid request format: body is not valid UTF-8' });
      expect(await clusterRows()).toBe(before);
    });

    it('accepts valid multi-byte UTF-8 (and U+FFFD itself) in free text', async () => {
      const spec = { s: 'é中😀\ufffd👩‍👩‍👧‍👦', [`k😀`]: '\u202e' };
      const res = seen('encodings', await raw('POST', CLUSTERS, Buffer.from(JSON.stringify(buildCluster({ spec }))), { 'Content-Type': 'application/json' }));
      expect(res.status).toBe(201);
      expect(res.body.spec).toEqual(spec);
    });

    it('rejects bodies that are not declared JSON with 415 VAL-009: text/plain, form, multipart, none at all', async () => {
      const before = await clusterRows();
      const json = JSON.stringify(buildCluster());
      const form = new FormData();
      form.append('kind', 'Cluster');
      for (const res of [
        await raw('POST', CLUSTERS, json, { 'Content-Type': 'text/plain' }),
        await raw('POST', CLUSTERS, 'kind=Cluster&name=x', { 'Content-Type': 'application/x-www-form-urlencoded' }),
        await (async () => {
          const r = await fetch(`${base}${CLUSTERS}`, { method: 'POST', body: form });
          const text = await r.text();
          return { status: r.status, headers: r.headers, text, body: JSON.parse(text) };
        })(),
        await raw('POST', CLUSTERS, new TextEncoder().encode(json)), // no Content-Type header at all
        await raw('PUT', `${CLUSTERS}/x/statuses`, json, { 'Content-Type': 'application/xml' }),
      ]) {
        seen('content types', res);
        expect({ status: res.status, code: res.body?.code }).toEqual({ status: 415, code: 'HYPERFLEET-VAL-009' });
      }
      expect(await clusterRows()).toBe(before);
      // JSON under its other names is fine
      seen('content types', await raw('POST', CLUSTERS, JSON.stringify(buildCluster()), { 'Content-Type': 'application/json; charset=utf-8' }));
      const created = await createCluster(t.http);
      const patched = seen('content types', await raw('PATCH', `${CLUSTERS}/${created.id}`, '{"labels":{}}', { 'Content-Type': 'application/merge-patch+json' }));
      expect(patched.status).toBe(200);
    });

    it('rejects a body that starts with a UTF-8 byte order mark as malformed JSON (RFC 8259 §8.1: senders must not add one)', async () => {
      const res = seen('encodings', await raw('POST', CLUSTERS, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(buildCluster()))]), { 'Content-Type': 'application/json' }));
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 400, code: 'HYPERFLEET-VAL-006' });
    });
  });

  describe('JSON that parses, but surprises', () => {
    it('keeps the last of duplicate keys, in the body, in spec and in labels', async () => {
      const names = [clusterName(), clusterName()];
      const res = seen('duplicate keys', await postJson(CLUSTERS, `{"kind":"Cluster","name":"${names[0]}","name":"${names[1]}","spec":{"a":1,"a":2},"labels":{"env":"dev","env":"prod"}}`), 201);
      expect(res.body).toMatchObject({ name: names[1], spec: { a: 2 }, labels: { env: 'prod' } });
      expect(await count('select count(*)::int as n from labels where owner_id = $1', [res.body.id])).toBe(1);
    });

    it('stores __proto__, constructor and prototype keys as plain data or rejects them, and pollutes no prototype', async () => {
      const before = Object.getOwnPropertyNames(Object.prototype).sort();
      const proto = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}';
      const cluster = seen('prototype keys', await postJson(CLUSTERS, `{"__proto__":{"polluted":"yes","name":"hijack"},"constructor":{"prototype":{"polluted":"yes"}},"kind":"Cluster","name":"${clusterName()}","spec":${proto},"labels":{"constructor":"c","prototype":"p"}}`), 201);
      expect(cluster.body.spec).toEqual(JSON.parse(proto));
      expect(Object.keys(cluster.body.spec).sort()).toEqual(['__proto__', 'constructor', 'prototype']);
      expect(cluster.body.labels).toEqual({ constructor: 'c', prototype: 'p' });
      expect(cluster.body.name).not.toBe('hijack');
      const report = buildReport('dns', 1);
      const text = JSON.stringify(report).replace(/}$/, `,"data":${proto},"metadata":${proto}}`).replace('"reason":"Applied"', '"reason":"Applied","__proto__":{"status":"True"}');
      const stored = seen('prototype keys', await t.http.put(`${CLUSTERS}/${cluster.body.id}/statuses`).set('Content-Type', 'application/json').send(text), 201);
      expect(stored.body.data).toEqual(JSON.parse(proto));
      expect(stored.body.metadata).toEqual(JSON.parse(proto));
      const [row] = (await adminQuery(t.db.url, 'select data::text as data from adapter_statuses where owner_id = $1', [cluster.body.id])).rows;
      expect(JSON.parse(row.data as string)).toEqual(JSON.parse(proto));
      // a label key __proto__ is not a valid Kubernetes label key; as a PATCH property it is an unknown field
      expectProblem(seen('prototype keys', await postJson(CLUSTERS, `{"kind":"Cluster","name":"${clusterName()}","spec":{},"labels":{"__proto__":"x"}}`)), 400, 'HYPERFLEET-VAL-000');
      expectProblem(seen('prototype keys', await t.http.patch(`${CLUSTERS}/${cluster.body.id}`).set('Content-Type', 'application/json').send('{"__proto__":{"spec":{}}}')), 400, 'HYPERFLEET-VAL-006');
      expectProblem(seen('prototype keys', await t.http.patch(`${CLUSTERS}/${cluster.body.id}`).set('Content-Type', 'application/json').send('{"constructor":{"prototype":{"polluted":"yes"}}}')), 400, 'HYPERFLEET-VAL-006');
      // the service shares this process: nothing it did may have reached a prototype
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before);
      const later = seen('prototype keys', await t.http.get(`${CLUSTERS}/${cluster.body.id}`), 200);
      expect(later.body.spec).toEqual(JSON.parse(proto));
    });

    it('rejects numbers beyond the double range, stores the rest as JSON.parse reads them', async () => {
      const before = await clusterRows();
      for (const n of ['1e400', '-1e400', '1E+999']) {
        const res = expectProblem(seen('numbers', await postJson(CLUSTERS, `{"kind":"Cluster","name":"${clusterName()}","spec":{"n":${n}}}`)), 400, 'HYPERFLEET-VAL-006');
        expect(res.detail).toBe('Invalid request format: number out of range (at spec.n)');
      }
      const cluster = await createCluster(t.http);
      expectProblem(seen('numbers', await t.http.put(`${CLUSTERS}/${cluster.id}/statuses`).set('Content-Type', 'application/json').send(JSON.stringify(buildReport('dns', 1)).replace('"observed_generation":1', '"observed_generation":1e400'))), 400, 'HYPERFLEET-VAL-006');
      expect(await clusterRows()).toBe(before + 1);

      const res = seen('numbers', await postJson(CLUSTERS, `{"kind":"Cluster","name":"${clusterName()}","spec":{"max":1e308,"tiny":1e-400,"negzero":-0,"big":123456789012345678901234567890,"unsafe":9007199254740993,"min":5e-324}}`), 201);
      // 1e-400 underflows to 0 and integers past 2^53 round, as in any JSON.parse: documented, not rejected
      expect(res.body.spec).toEqual({ max: 1e308, tiny: 0, negzero: 0, big: 1.2345678901234568e29, unsafe: 9007199254740992, min: 5e-324 });
      const read = await t.http.get(`${CLUSTERS}/${res.body.id}`).expect(200);
      expect(read.body.spec).toEqual(res.body.spec);
      seen('numbers', await t.http.put(`${CLUSTERS}/${cluster.id}/statuses`).send(buildReport('dns', 1e308)), 204);
      expectProblem(seen('numbers', await t.http.put(`${CLUSTERS}/${cluster.id}/statuses`).send(buildReport('dns', 1.5))), 400, 'HYPERFLEET-VAL-000');
      for (const q of ['page=1e308', 'size=1e2', 'page=99999999999999999999999', 'pageSize=-1e308']) expectProblem(seen('numbers', await t.http.get(`${CLUSTERS}?${q}`)), 400, 'HYPERFLEET-VAL-000');
      seen('numbers', await t.http.get(CLUSTERS).query({ search: 'spec.max >= 1e308' }), 200).body.items.forEach((c: { id: string }) => expect(c.id).toBe(res.body.id));
    });
  });

  describe('memory', () => {
    it('stays bounded while 50 bodies of 900 KB arrive at once (valid and invalid), and stores exactly the valid ones', async () => {
      const gc = exposeGc();
      const cluster = await createCluster(t.http);
      const blob = 'x'.repeat(900 * 1024);
      const deep = `${'['.repeat(461_000)}${']'.repeat(461_000)}`;
      const before = await clusterRows();
      const bodies: [string, string, number][] = [
        ...Array.from({ length: 20 }, (): [string, string, number] => [CLUSTERS, JSON.stringify(buildCluster({ spec: { blob } })), 201]),
        ...Array.from({ length: 10 }, (_, i): [string, string, number] => [`${CLUSTERS}/${cluster.id}/statuses`, JSON.stringify(buildReport(`adapter-${i}`, 1, { extra: { data: { blob } } })), 201]),
        ...Array.from({ length: 10 }, (): [string, string, number] => [CLUSTERS, `{"kind":"Cluster","name":"${clusterName()}","spec":${deep}}`, 400]),
        ...Array.from({ length: 10 }, (): [string, string, number] => [CLUSTERS, JSON.stringify(buildCluster({ name: 'Not A Name', spec: { blob } })), 400]),
      ];
      expect(bodies.every(([, text]) => text.length > 900 * 1024 && text.length <= limit)).toBe(true);
      // the harness keeps every SQL statement with its parameters (the blobs too): not the service's memory
      const forget = () => {
        t.statements.length = 0;
        t.queries.length = 0;
      };
      forget();
      gc();
      const rssBefore = process.memoryUsage().rss;
      let peak = rssBefore;
      // answers are checked as they arrive and not kept: only what the service holds on to counts afterwards
      const statuses = await Promise.all(
        bodies.map(async ([path, text, want]) => {
          const res = await (path.endsWith('statuses') ? t.http.put(path) : t.http.post(path)).set('Content-Type', 'application/json').send(text);
          peak = Math.max(peak, process.memoryUsage().rss);
          seen('memory (50 × 900 KB at once)', res);
          return { status: res.status, want };
        }),
      );
      bodies.length = 0;
      forget();
      gc();
      const rssAfter = process.memoryUsage().rss;
      for (const { status, want } of statuses) expect(status).toBe(want);
      expect(await clusterRows()).toBe(before + 20);
      expect(await count('select count(*)::int as n from adapter_statuses where owner_id = $1', [cluster.id])).toBe(10);
      const growth = (rssAfter - rssBefore) / MiB;
      Object.assign(figures, { 'memory: rss before (MiB)': Math.round(rssBefore / MiB), 'memory: rss peak seen at answers (MiB)': Math.round(peak / MiB), 'memory: rss after gc (MiB)': Math.round(rssAfter / MiB), 'memory: growth (MiB)': Math.round(growth) });
      // a safety bound, not a performance target: 45 MB of bodies must not cost the process more than 300 MB
      expect(growth).toBeLessThan(300);
      seen('memory (50 × 900 KB at once)', await t.http.get(CLUSTERS).query({ size: 1 }), 200);
    });
  });
});
