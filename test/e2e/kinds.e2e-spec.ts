import { createCluster } from '../factories/cluster.factory';
import { buildReport } from '../factories/adapter-status.factory';
import { CHART_KINDS_ENV } from '../support/chart-kinds';
import { integrityProblems, sql } from '../support/integrity';
import { expectProblem } from '../support/problem';
import { startTestApp, TestApp } from '../support/test-app';

const API = '/api/hyperfleet/v1';
const NOWHERE = '01939a6e-0000-7000-8000-000000000000';

/**
 * Kinds as configuration (CONTRACT D13, §4.5, §5.5, §5.6), end to end over HTTP with the original's chart
 * kinds: Channel (no required adapters), Version (child of Channel, restrict, required adapter
 * `validation`, exactly one `channel` reference to a Channel) and WifConfig, beside Cluster and NodePool.
 */
describe('configured kinds', () => {
  let t: TestApp;
  let seq = 0;
  const name = (prefix: string) => `${prefix}-${++seq}`;

  const createChannel = async (extra: Record<string, unknown> = {}) =>
    (await t.http.post(`${API}/channels`).send({ kind: 'Channel', name: name('stable'), spec: { tier: 'ga' }, labels: { team: 'ota' }, ...extra }).expect(201)).body;
  const createVersion = async (channel: string, target: string, extra: Record<string, unknown> = {}) =>
    (
      await t.http
        .post(`${API}/channels/${channel}/versions`)
        .send({ kind: 'Version', name: name('v4'), spec: { image: 'quay.io/x:4.18' }, references: { channel: [{ id: target, kind: 'Channel' }] }, ...extra })
        .expect(201)
    ).body;

  beforeAll(async () => {
    t = await startTestApp(CHART_KINDS_ENV);
  });
  afterAll(async () => {
    // nothing half-written, whatever the tests did
    expect(await integrityProblems(t.db.url)).toEqual({});
    await t?.close();
  });

  describe('a root kind without required adapters (Channel)', () => {
    it('is created (201, no conditions until an adapter reports), read, listed and searched under its plural', async () => {
      const channel = await createChannel({ labels: { team: 'ota', tier: 'fast' } });
      expect(channel).toMatchObject({ kind: 'Channel', href: `${API}/channels/${channel.id}`, generation: 1, labels: { team: 'ota', tier: 'fast' }, status: { conditions: [] } });
      expect(channel).not.toHaveProperty('owner_references');
      expect(channel).not.toHaveProperty('references');
      const read = await t.http.get(`${API}/channels/${channel.id}`).expect(200);
      expect(read.body).toEqual(channel);
      expect(read.headers.etag).toBe('"1"');
      expect((await t.http.get(`${API}/resources/${channel.id}`).expect(200)).text).toBe(read.text);

      const list = await t.http.get(`${API}/channels`).query({ search: "labels.tier='fast'" }).expect(200);
      expect(list.body).toMatchObject({ kind: 'ChannelList', page: 1, size: 1, total: 1 });
      expect(list.body.items[0]).toEqual(channel);
      expect((await t.http.get(`${API}/channels`).query({ search: `name='${channel.name}' and spec.tier='ga' and kind='Channel'` }).expect(200)).body.total).toBe(1);
      expect((await t.http.get(`${API}/channels`).query({ search: "kind='Version'" }).expect(200)).body.total).toBe(0);
    });

    it('validates names with the default limits (1–100) and kind with its own name', async () => {
      expect(expectProblem(await t.http.post(`${API}/channels`).send({ kind: 'Cluster', name: 'x', spec: {} }), 400, 'HYPERFLEET-VAL-000').detail).toBe("kind must be 'Channel'");
      expect(expectProblem(await t.http.post(`${API}/channels`).send({ kind: 'Channel', name: 'x'.repeat(101), spec: {} }), 400, 'HYPERFLEET-VAL-000').detail).toBe('name must be at most 100 characters');
      await t.http.post(`${API}/channels`).send({ kind: 'Channel', name: 'x', spec: {} }).expect(201);
      const dup = expectProblem(await t.http.post(`${API}/channels`).send({ kind: 'Channel', name: 'x', spec: {} }), 409, 'HYPERFLEET-CNF-001');
      expect(dup.detail).toBe("This Channel already exists: another Channel not marked for deletion is named 'x'");
    });

    it('gets conditions once an adapter reports Available (B7); PATCH bumps generation and keeps them', async () => {
      const channel = await createChannel();
      await t.http.put(`${API}/channels/${channel.id}/statuses`).send(buildReport('mirror', 1)).expect(201);
      const reported = (await t.http.get(`${API}/channels/${channel.id}`).expect(200)).body;
      expect(reported.status.conditions.map((c: { type: string; status: string; reason: string }) => [c.type, c.status, c.reason])).toEqual([
        ['Reconciled', 'False', 'ReconciledMissingAdapters'],
        ['LastKnownReconciled', 'False', 'AdaptersMissingReports'],
      ]);
      const patched = (await t.http.patch(`${API}/channels/${channel.id}`).send({ spec: { tier: 'eus' } }).expect(200)).body;
      expect(patched).toMatchObject({ generation: 2, spec: { tier: 'eus' } });
      expect((await t.http.get(`${API}/channels/${channel.id}/statuses`).expect(200)).body).toMatchObject({ total: 1, items: [{ adapter: 'mirror' }] });
    });

    it('is removed at once by DELETE (no adapters to wait for: R5.5): 202 with the mark, then 404 and gone from lists', async () => {
      const channel = await createChannel();
      const deleted = (await t.http.delete(`${API}/channels/${channel.id}`).expect(202)).body;
      expect(deleted).toMatchObject({ id: channel.id, generation: 2, deleted_by: 'system@hyperfleet.local' });
      expect(deleted.deleted_time).toBeDefined();
      await t.http.get(`${API}/channels/${channel.id}`).expect(404);
      expect((await t.http.get(`${API}/channels`).query({ search: `id='${channel.id}'` }).expect(200)).body.total).toBe(0);
      // kept for audit
      expect(await sql(t.db.url, 'select kind, deleted_at is not null as removed from resources where id = $1', [channel.id])).toEqual([{ kind: 'Channel', removed: true }]);
    });
  });

  describe('a child kind with references (Version under Channel)', () => {
    it('is created under its parent only: the flat collection answers 422, a missing or marked parent 404 / 409', async () => {
      const channel = await createChannel();
      const flat = expectProblem(await t.http.post(`${API}/versions`).send({ kind: 'Version', name: 'v1', spec: {} }), 422, 'HYPERFLEET-VAL-000');
      expect(flat.detail).toBe('kind "Version" is a child kind; create it via /channels/{channel_id}/versions');
      expect(
        expectProblem(await t.http.post(`${API}/channels/${NOWHERE}/versions`).send({ kind: 'Version', name: 'v1', spec: {}, references: { channel: [{ id: channel.id, kind: 'Channel' }] } }), 404, 'HYPERFLEET-NTF-001').detail,
      ).toBe(`Channel with id='${NOWHERE}' not found`);
      expectProblem(await t.http.post(`${API}/resources`).send({ kind: 'Version', name: 'v1', spec: {} }), 422, 'HYPERFLEET-VAL-000');
    });

    it.each([
      ['no references', undefined, 'required reference type "channel" missing for Version (min 1)'],
      ['an empty list', { channel: [] }, 'required reference type "channel" missing for Version (min 1)'],
      ['an unknown type', { channel: [{ id: 'X', kind: 'Channel' }], mirror: [] }, 'unknown reference type "mirror" for Version'],
      ['too many', { channel: [{ id: 'A', kind: 'Channel' }, { id: 'B', kind: 'Channel' }] }, 'reference type "channel" for Version exceeds max count 1 (got 2)'],
      ['an entry without id', { channel: [{ kind: 'Channel' }] }, 'reference type "channel": id is required'],
      ['the wrong kind', { channel: [{ id: 'X', kind: 'WifConfig' }] }, 'reference type "channel": kind "WifConfig" does not match expected target kind "Channel"'],
      ['a target that does not exist', { channel: [{ id: NOWHERE, kind: 'Channel' }] }, `reference type "channel": target Channel "${NOWHERE}" not found`],
      ['not an object', 'channel', "field 'references' must be an object"],
    ])('refuses references with %s (400, nothing created)', async (_what, references, detail) => {
      const channel = await createChannel();
      const res = await t.http.post(`${API}/channels/${channel.id}/versions`).send({ kind: 'Version', name: 'refused', spec: {}, ...(references !== undefined ? { references } : {}) });
      expect(expectProblem(res, 400, 'HYPERFLEET-VAL-000').detail).toBe(detail);
      expect((await t.http.get(`${API}/channels/${channel.id}/versions`).expect(200)).body.total).toBe(0);
    });

    it('refuses a reference to a resource marked for deletion', async () => {
      const [parent, target] = [await createChannel(), await createChannel()];
      // a Channel with a live (marked) version stays marked instead of being removed
      const pinned = await createVersion(target.id, parent.id);
      await t.http.delete(`${API}/versions/${pinned.id}`).expect(202);
      await t.http.delete(`${API}/channels/${target.id}`).expect(202);
      const res = await t.http.post(`${API}/channels/${parent.id}/versions`).send({ kind: 'Version', name: 'late', spec: {}, references: { channel: [{ id: target.id, kind: 'Channel' }] } });
      expect(expectProblem(res, 400, 'HYPERFLEET-VAL-000').detail).toBe(`reference type "channel": target Channel "${target.id}" is marked for deletion`);
    });

    it('has its owner and references in its body, one rendering for GET nested, flat, /resources, lists and the write answers', async () => {
      const [channel, target] = [await createChannel(), await createChannel()];
      const version = await createVersion(channel.id, target.id, { labels: { arch: 'arm64' } });
      expect(version).toMatchObject({
        kind: 'Version',
        href: `${API}/channels/${channel.id}/versions/${version.id}`,
        owner_references: { id: channel.id, kind: 'Channel', href: `${API}/channels/${channel.id}` },
        references: { channel: [{ id: target.id, kind: 'Channel', href: `${API}/channels/${target.id}` }] },
        status: { conditions: [{ type: 'Reconciled', status: 'False', reason: 'ReconciledMissingAdapters' }, { type: 'LastKnownReconciled', status: 'False' }] },
      });
      const texts = await Promise.all(
        [`${API}/channels/${channel.id}/versions/${version.id}`, `${API}/versions/${version.id}`, `${API}/resources/${version.id}`].map(async (path) => (await t.http.get(path).expect(200)).text),
      );
      expect(new Set(texts).size).toBe(1);
      expect(JSON.parse(texts[0])).toEqual(version);
      const listed = (await t.http.get(`${API}/channels/${channel.id}/versions`).expect(200)).body;
      expect(listed).toMatchObject({ kind: 'VersionList', total: 1 });
      expect(listed.items[0]).toEqual(version);
    });

    it('is 404 under another or a missing channel, naming what is missing', async () => {
      const [channel, other] = [await createChannel(), await createChannel()];
      const version = await createVersion(channel.id, channel.id);
      expect(expectProblem(await t.http.get(`${API}/channels/${other.id}/versions/${version.id}`), 404, 'HYPERFLEET-NTF-001').detail).toBe(`Version with id='${version.id}' not found`);
      expect(expectProblem(await t.http.get(`${API}/channels/${NOWHERE}/versions/${version.id}`), 404, 'HYPERFLEET-NTF-001').detail).toBe(`Channel with id='${NOWHERE}' not found`);
      expectProblem(await t.http.get(`${API}/channels/${NOWHERE}/versions`), 404, 'HYPERFLEET-NTF-001');
      expectProblem(await t.http.patch(`${API}/channels/${other.id}/versions/${version.id}`).send({ spec: {} }), 404, 'HYPERFLEET-NTF-001');
      expectProblem(await t.http.put(`${API}/channels/${other.id}/versions/${version.id}/statuses`).send(buildReport('validation', 1)), 404, 'HYPERFLEET-NTF-001');
      expect(expectProblem(await t.http.get(`${API}/resources/${NOWHERE}`), 404, 'HYPERFLEET-NTF-001').detail).toBe(`Resource with id='${NOWHERE}' not found`);
    });

    it('filters lists by reference (ref_type and ref_target_id together, a declared type)', async () => {
      const [channel, a, b] = [await createChannel(), await createChannel(), await createChannel()];
      const toA = await createVersion(channel.id, a.id);
      await createVersion(channel.id, b.id);
      const byA = (await t.http.get(`${API}/channels/${channel.id}/versions`).query({ ref_type: 'channel', ref_target_id: a.id }).expect(200)).body;
      expect(byA.items.map((v: { id: string }) => v.id)).toEqual([toA.id]);
      expect((await t.http.get(`${API}/versions`).query({ ref_type: 'channel', ref_target_id: a.id }).expect(200)).body.total).toBe(1);
      expect((await t.http.get(`${API}/versions`).query({ ref_type: 'channel', ref_target_id: 'nope' }).expect(200)).body.total).toBe(0);
      expect(expectProblem(await t.http.get(`${API}/versions`).query({ ref_type: 'channel' }), 400, 'HYPERFLEET-VAL-000').errors).toEqual([
        { field: 'ref_target_id', constraint: 'required', message: 'ref_type and ref_target_id must be provided together' },
      ]);
      expect(expectProblem(await t.http.get(`${API}/versions`).query({ ref_type: 'mirror', ref_target_id: a.id }), 400, 'HYPERFLEET-VAL-000').detail).toBe('Unknown ref_type "mirror" for entity Version');
      expectProblem(await t.http.get(`${API}/channels`).query({ ref_type: 'channel', ref_target_id: a.id }), 400, 'HYPERFLEET-VAL-000');
    });

    it('searches by owner on the flat list; owner fields are constants or columns of the kind', async () => {
      const [one, two] = [await createChannel(), await createChannel()];
      const v = await createVersion(one.id, one.id, { labels: { stream: 'candidate' } });
      await createVersion(two.id, two.id, { labels: { stream: 'candidate' } });
      const found = (await t.http.get(`${API}/versions`).query({ search: `owner_id='${one.id}' and labels.stream='candidate' and owner_kind='Channel' and owner_href='${API}/channels/${one.id}'` }).expect(200)).body;
      expect(found.items.map((x: { id: string }) => x.id)).toEqual([v.id]);
      expect((await t.http.get(`${API}/versions`).query({ search: `href='${v.href}'` }).expect(200)).body.total).toBe(1);
      expect((await t.http.get(`${API}/versions`).query({ order: 'owner_id asc,name desc' }).expect(200)).body.total).toBeGreaterThanOrEqual(2);
    });

    it('PATCH replaces references whole and bumps generation whenever they are given (R3.2); {} is refused when the type is required', async () => {
      const [channel, a, b] = [await createChannel(), await createChannel(), await createChannel()];
      const version = await createVersion(channel.id, a.id);
      const same = (await t.http.patch(`${API}/versions/${version.id}`).send({ references: { channel: [{ id: a.id, kind: 'Channel' }] } }).expect(200)).body;
      expect(same.generation).toBe(2);
      const moved = (await t.http.patch(`${API}/channels/${channel.id}/versions/${version.id}`).send({ references: { channel: [{ id: b.id, kind: 'Channel' }] } }).expect(200)).body;
      expect(moved).toMatchObject({ generation: 3, references: { channel: [{ id: b.id }] } });
      expect((await t.http.get(`${API}/versions/${version.id}`).expect(200)).body.references).toEqual({ channel: [{ id: b.id, kind: 'Channel', href: `${API}/channels/${b.id}` }] });
      expect(expectProblem(await t.http.patch(`${API}/versions/${version.id}`).send({ references: {} }), 400, 'HYPERFLEET-VAL-000').detail).toBe('required reference type "channel" missing for Version (min 1)');
      // a kind without reference types does not know the field
      expectProblem(await t.http.patch(`${API}/channels/${channel.id}`).send({ references: {} }), 400, 'HYPERFLEET-VAL-006');
    });

    it('aggregates its required adapter into conditions; Finalized=True after DELETE removes it', async () => {
      const channel = await createChannel();
      const version = await createVersion(channel.id, channel.id);
      await t.http.put(`${API}/versions/${version.id}/statuses`).send(buildReport('validation', 1)).expect(201);
      const reconciled = (await t.http.get(`${API}/channels/${channel.id}/versions/${version.id}`).expect(200)).body;
      expect(reconciled.status.conditions.map((c: { type: string; status: string }) => [c.type, c.status])).toEqual([
        ['Reconciled', 'True'],
        ['LastKnownReconciled', 'True'],
        ['ValidationSuccessful', 'True'],
      ]);
      expect((await t.http.get(`${API}/versions`).query({ search: "status.conditions.Reconciled='True'" }).expect(200)).body.items.map((v: { id: string }) => v.id)).toContain(version.id);

      const marked = (await t.http.delete(`${API}/versions/${version.id}`).expect(202)).body;
      expect(marked).toMatchObject({ generation: 2, status: { conditions: [{ type: 'Reconciled', status: 'False' }, {}, {}] } });
      // its references go with the mark (R5.1)
      expect(marked).not.toHaveProperty('references');
      await t.http.put(`${API}/channels/${channel.id}/versions/${version.id}/statuses`).send(buildReport('validation', 2, { finalized: true })).expect(201);
      await t.http.get(`${API}/versions/${version.id}`).expect(404);
    });
  });

  describe('delete policies and references', () => {
    it('restrict: a Channel with a live Version is 409 and nothing changes; once the Version is marked, the Channel stays marked until force-deleted', async () => {
      const channel = await createChannel();
      const version = await createVersion(channel.id, channel.id);
      const refused = expectProblem(await t.http.delete(`${API}/channels/${channel.id}`), 409, 'HYPERFLEET-CNF-003');
      expect(refused.detail).toBe(`Cannot delete Channel '${channel.id}': active Version(s) exist`);
      expect((await t.http.get(`${API}/channels/${channel.id}`).expect(200)).body).toEqual(channel);

      await t.http.delete(`${API}/versions/${version.id}`).expect(202);
      const marked = (await t.http.delete(`${API}/channels/${channel.id}`).expect(202)).body;
      expect(marked.deleted_time).toBeDefined();
      // a marked child keeps its parent (R5.5): still readable
      await t.http.get(`${API}/channels/${channel.id}`).expect(200);
      expectProblem(await t.http.post(`${API}/channels/${channel.id}/versions`).send({ kind: 'Version', name: 'late', spec: {}, references: { channel: [{ id: channel.id, kind: 'Channel' }] } }), 409, 'HYPERFLEET-CNF-003');

      await t.http.post(`${API}/channels/${channel.id}/force-delete`).send({ reason: 'retired stream' }).expect(204);
      await t.http.get(`${API}/channels/${channel.id}`).expect(404);
      await t.http.get(`${API}/versions/${version.id}`).expect(404);
      expect(t.logs.find((l) => l.audit === 'force-delete' && l.id === channel.id)).toMatchObject({ kind: 'Channel', reason: 'retired stream', removed_children: [version.id] });
    });

    it('inbound references: a referenced resource cannot be deleted (409 naming the referrers); force-delete of a target clears them', async () => {
      const [home, target] = [await createChannel(), await createChannel()];
      const version = await createVersion(home.id, target.id);
      const refused = expectProblem(await t.http.delete(`${API}/resources/${target.id}`), 409, 'HYPERFLEET-CNF-003');
      expect(refused.detail).toBe(`cannot delete Channel "${target.name}": referenced by Version "${version.name}" — remove the reference(s) before deleting`);
      await t.http.get(`${API}/channels/${target.id}`).expect(200);

      // once the version no longer refers to it, the target goes at once (no adapters, no children)
      const other = await createChannel();
      await t.http.patch(`${API}/versions/${version.id}`).send({ references: { channel: [{ id: other.id, kind: 'Channel' }] } }).expect(200);
      await t.http.delete(`${API}/channels/${target.id}`).expect(202);
      await t.http.get(`${API}/channels/${target.id}`).expect(404);

      // force-delete of a marked target's parent removes the referring version's target... and its references go
      const [parent2, target2] = [await createChannel(), await createChannel()];
      const pinned = await createVersion(target2.id, parent2.id);
      await t.http.delete(`${API}/versions/${pinned.id}`).expect(202);
      await t.http.delete(`${API}/channels/${target2.id}`).expect(202);
      const referrer = await createVersion(parent2.id, parent2.id);
      await t.http.post(`${API}/channels/${target2.id}/force-delete`).send({ reason: 'gone' }).expect(204);
      expect((await t.http.get(`${API}/versions/${referrer.id}`).expect(200)).body.references).toEqual({ channel: [{ id: parent2.id, kind: 'Channel', href: `${API}/channels/${parent2.id}` }] });
    });

    it('cascade on the built-in kinds goes through the same engine: a cluster DELETE marks its node pools', async () => {
      const cluster = await createCluster(t.http);
      const pool = (await t.http.post(`${API}/clusters/${cluster.id}/nodepools`).send({ kind: 'NodePool', name: 'workers', spec: {} }).expect(201)).body;
      await t.http.delete(`${API}/resources/${cluster.id}`).expect(202);
      expect((await t.http.get(`${API}/nodepools/${pool.id}`).expect(200)).body.deleted_time).toBeDefined();
    });
  });

  describe('the generic /resources API', () => {
    it('creates root kinds by the body kind; 400 for an unknown kind, 422 for a child kind', async () => {
      const wif = (await t.http.post(`${API}/resources`).send({ kind: 'WifConfig', name: name('wif'), spec: { pool: 'p1' } }).expect(201)).body;
      expect(wif).toMatchObject({ kind: 'WifConfig', href: `${API}/wifconfigs/${wif.id}` });
      expect((await t.http.get(`${API}/wifconfigs/${wif.id}`).expect(200)).body).toEqual(wif);
      expect(expectProblem(await t.http.post(`${API}/resources`).send({ kind: 'Nope', name: 'x', spec: {} }), 400, 'HYPERFLEET-VAL-000').detail).toBe('Unknown entity kind: Nope');
      expect(expectProblem(await t.http.post(`${API}/resources`).send({ name: 'x', spec: {} }), 400, 'HYPERFLEET-VAL-000').detail).toBe('kind is required');
      expectProblem(await t.http.post(`${API}/resources`).send({ kind: 'NodePool', name: 'x', spec: {} }), 422, 'HYPERFLEET-VAL-000');
    });

    it('lists every kind, or one (?kind=; 400 for an unknown one), with search, order and exact totals', async () => {
      const wif = (await t.http.post(`${API}/resources`).send({ kind: 'WifConfig', name: name('wif'), spec: {}, labels: { probe: 'list' } }).expect(201)).body;
      const cluster = await createCluster(t.http, { labels: { probe: 'list' } });
      const both = (await t.http.get(`${API}/resources`).query({ search: "labels.probe='list'", order: 'kind asc' }).expect(200)).body;
      expect(both).toMatchObject({ kind: 'ResourceList', total: 2, size: 2 });
      expect(both.items.map((r: { kind: string; id: string }) => [r.kind, r.id])).toEqual([
        ['Cluster', cluster.id],
        ['WifConfig', wif.id],
      ]);
      expect(both.items[1]).toEqual(wif);
      const wifs = (await t.http.get(`${API}/resources`).query({ kind: 'WifConfig', search: "labels.probe='list'" }).expect(200)).body;
      expect(wifs.items.map((r: { id: string }) => r.id)).toEqual([wif.id]);
      expect((await t.http.get(`${API}/resources`).query({ search: `owner_id is null and kind='WifConfig' and id='${wif.id}'` }).expect(200)).body.total).toBe(1);
      expect(expectProblem(await t.http.get(`${API}/resources`).query({ kind: 'Nope' }), 400, 'HYPERFLEET-VAL-000').detail).toBe('Unknown entity kind: Nope');
      const all = (await t.http.get(`${API}/resources`).query({ size: 1 }).expect(200)).body;
      expect(all.total).toBeGreaterThan(2);
      expect(all.size).toBe(1);
    });

    it('changes, reports on, deletes and force-deletes any kind by id', async () => {
      const cluster = await createCluster(t.http);
      const patched = (await t.http.patch(`${API}/resources/${cluster.id}`).send({ labels: { moved: 'yes' } }).expect(200)).body;
      expect(patched).toMatchObject({ kind: 'Cluster', generation: 2, labels: { moved: 'yes' } });
      await t.http.put(`${API}/resources/${cluster.id}/statuses`).send(buildReport('dns', 2)).expect(201);
      expect((await t.http.get(`${API}/resources/${cluster.id}/statuses`).expect(200)).body).toMatchObject({ total: 1, items: [{ adapter: 'dns' }] });
      const unmarked = expectProblem(await t.http.post(`${API}/resources/${cluster.id}/force-delete`).send({ reason: 'x' }), 409, 'HYPERFLEET-CNF-003');
      expect(unmarked.detail).toContain('DELETE it first');
      await t.http.delete(`${API}/resources/${cluster.id}`).expect(202);
      await t.http.post(`${API}/resources/${cluster.id}/force-delete`).send({ reason: 'x' }).expect(204);
      await t.http.get(`${API}/clusters/${cluster.id}`).expect(404);
    });
  });

  it('serves every kind in the OpenAPI document', async () => {
    const doc = (await t.http.get(`${API}/openapi`).expect(200)).body as { paths: Record<string, Record<string, { operationId: string }>> };
    for (const path of ['/channels', '/channels/{channel_id}', '/channels/{channel_id}/versions', '/channels/{channel_id}/versions/{version_id}', '/versions/{version_id}', '/wifconfigs/{wifconfig_id}/statuses', '/resources'])
      expect(doc.paths).toHaveProperty(`${API}${path}`);
    expect(doc.paths[`${API}/channels/{channel_id}/versions`].post.operationId).toBe('postVersion');
  });
});
