import { MikroORM } from '@mikro-orm/core';
import { ResourceStore, softDeletableTables, statementCatalogue } from '@app/persistence';
import { createCluster } from '../factories/cluster.factory';
import { buildReport } from '../factories/adapter-status.factory';
import { CHART_KINDS_ENV } from '../support/chart-kinds';
import { auditLiveRows } from '../support/live-rows-audit';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';

/**
 * Statements that do not read or change resource rows and so need no live-row condition (each named,
 * with why). There is no read of removed rows in the service: audits read the database directly.
 */
const OPT_OUTS: Record<string, RegExp> = {
  'transaction control': /^(begin|commit|rollback)$/i,
  'the readiness ping': /^select 1$/i,
};

/** One search per kind of field the compiler knows, for every list. */
const SEARCHES = [
  "name = 'x' or name like 'a%' or name ilike 'B%' or name not like 'c%'",
  "labels.team = 'ota' and labels.env in ('a', 'b')",
  'labels.team is null',
  "labels.team like 'o%'",
  'spec.replicas > 2 or spec.a.b is null',
  "status.conditions.Reconciled = 'False'",
  "status.conditions.Reconciled.last_updated_time > '2026-01-01T00:00:00Z'",
  "created_time between '2026-01-01' and '2099-01-01' and generation >= 1 and deleted_time is null",
  "id in ('01939a6e-0000-7000-8000-000000000000') or href like '/api%'",
];

/**
 * The live-row rule (CONTRACT D4) has one definition, live-rows.ts: the MikroORM filter and the
 * LiveRowsPlugin of every hand-built statement apply it. This test proves each statement the service can
 * send honours it, with an auditor of its own (PostgreSQL's parser, not the plugin): every reference to a
 * soft-deletable table has `<alias>.deleted_at is null` where it filters that table.
 */
describe('the live-row rule', () => {
  let t: TestApp;
  let tables: ReadonlySet<string>;

  beforeAll(async () => {
    t = await startTestApp(CHART_KINDS_ENV);
    tables = softDeletableTables(t.app.get(MikroORM).getMetadata());

    // every route shape of every kind, every search field, writes of every kind
    const cluster = await createCluster(t.http, { labels: { team: 'ota' } });
    const pool = (await t.http.post(`${API}/clusters/${cluster.id}/nodepools`).send({ kind: 'NodePool', name: 'workers', spec: {} }).expect(201)).body;
    const channel = (await t.http.post(`${API}/channels`).send({ kind: 'Channel', name: 'stable', spec: {} }).expect(201)).body;
    const version = (await t.http.post(`${API}/channels/${channel.id}/versions`).send({ kind: 'Version', name: 'v1', spec: {}, references: { channel: [{ id: channel.id, kind: 'Channel' }] } }).expect(201)).body;
    const wif = (await t.http.post(`${API}/resources`).send({ kind: 'WifConfig', name: 'wif', spec: {} }).expect(201)).body;
    const items = [`clusters/${cluster.id}`, `clusters/${cluster.id}/nodepools/${pool.id}`, `nodepools/${pool.id}`, `channels/${channel.id}`, `channels/${channel.id}/versions/${version.id}`, `versions/${version.id}`, `wifconfigs/${wif.id}`];
    for (const item of items) {
      await t.http.get(`${API}/${item}`).expect(200);
      await t.http.get(`${API}/${item}/statuses`).expect(200);
    }
    for (const list of ['clusters', `clusters/${cluster.id}/nodepools`, 'nodepools', 'channels', `channels/${channel.id}/versions`, 'versions', 'wifconfigs', 'resources'])
      for (const search of [undefined, ...SEARCHES]) await t.http.get(`${API}/${list}`).query({ ...(search ? { search } : {}), order: 'name asc' }).expect(200);
    await t.http.get(`${API}/versions`).query({ ref_type: 'channel', ref_target_id: channel.id }).expect(200);
    await t.http.get(`${API}/resources/${version.id}`).expect(200);
    await t.http.patch(`${API}/versions/${version.id}`).send({ labels: { a: 'b' }, references: { channel: [{ id: channel.id, kind: 'Channel' }] } }).expect(200);
    await t.http.patch(`${API}/clusters/${cluster.id}`).send({ spec: { v: 2 } }).expect(200);
    await t.http.put(`${API}/versions/${version.id}/statuses`).send(buildReport('validation', 2)).expect(201);
    await t.http.put(`${API}/clusters/${cluster.id}/nodepools/${pool.id}/statuses`).send(buildReport('validation', 1)).expect(201);
    await t.http.delete(`${API}/channels/${channel.id}`).expect(409);
    await t.http.delete(`${API}/versions/${version.id}`).expect(202);
    await t.http.put(`${API}/versions/${version.id}/statuses`).send(buildReport('validation', 3, { finalized: true })).expect(201);
    await t.http.delete(`${API}/channels/${channel.id}`).expect(202);
    await t.http.delete(`${API}/clusters/${cluster.id}`).expect(202);
    await t.http.post(`${API}/resources/${cluster.id}/force-delete`).send({ reason: 'test' }).expect(204);
    await t.http.delete(`${API}/wifconfigs/${wif.id}`).expect(202);
  });
  afterAll(() => t?.close());

  it('knows the soft-deletable tables from the entities', () => {
    expect([...tables].sort()).toEqual(['adapter_statuses', 'clusters', 'labels', 'node_pools', 'resource_references', 'resources']);
  });

  it('holds for every statement the application built (prepared once, by name)', async () => {
    const statements = [...new Map([...t.app.get(ResourceStore).statements(), ...statementCatalogue().values()].map((s) => [s.name, s])).values()];
    // every kind's statements (at least: insert, two reads and two locks, save, status upsert, hold, get, exists, remove), and more
    expect(statements.length).toBeGreaterThan(t.config.kinds.all().length * 11);
    const violations: Record<string, string[]> = {};
    for (const s of statements) {
      const found = await auditLiveRows(s.sql, tables);
      if (found.length) violations[s.name] = found;
    }
    expect(violations).toEqual({});
  });

  it('holds for every statement the application sent while serving every route, but the named opt-outs', async () => {
    const sent = [...new Set(t.queries.map((q) => q.trim()))];
    const optedOut = sent.filter((q) => Object.values(OPT_OUTS).some((re) => re.test(q)));
    const audited = sent.filter((q) => !optedOut.includes(q));
    // searches compiled per request, the ORM's own reads (status lists), the named statements
    expect(audited.length).toBeGreaterThan(SEARCHES.length * 3);
    expect(audited.some((q) => /"adapter_statuses" as "a0"/.test(q))).toBe(true);
    const violations: Record<string, string[]> = {};
    for (const q of audited) {
      const found = await auditLiveRows(q, tables);
      if (found.length) violations[q] = found;
    }
    expect(violations).toEqual({});
  });
});
