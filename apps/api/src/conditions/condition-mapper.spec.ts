import { buildKindRegistry, ResourceKind } from '@app/config';
import type { ResourceCondition } from '@app/common';
import {
  CONDITION_MAPPING_ERROR,
  isSensitiveKey,
  MappedStatus,
  mapConditions,
  MappingInput,
  MAX_MASK_DEPTH,
  MAX_MESSAGE_BYTES,
  maskSensitive,
  REDACTED,
  resourceVariable,
  statusesVariable,
  textOf,
  truncateUtf8,
} from './condition-mapper';

const CREATED = new Date('2026-12-01T10:00:00.000Z');
const T_REF = '2026-12-01T11:00:00.000Z';
const EARLIER = '2026-12-01T10:30:00.000Z';
const ID = '019466a0-8f8e-7abc-9def-0123456789ab';
const OWNER = '019466a0-8f8e-7abc-9def-0123456789aa';

type Parts = Partial<Record<'when' | 'status' | 'reason' | 'message', string>>;
const rule = (type: string, parts: Parts = {}) => ({
  type,
  when: { expression: parts.when ?? 'true' },
  output: { status: { expression: parts.status ?? '"True"' }, reason: { expression: parts.reason ?? '"Mapped"' }, message: { expression: parts.message ?? '"ok"' } },
});

/** A Cluster kind with these rules. */
function clusterWith(...rules: ReturnType<typeof rule>[]): ResourceKind {
  return buildKindRegistry([{ kind: 'Cluster', conditions: rules }]).get('Cluster')!;
}

const report = (adapter: string, conditions: MappedStatus['conditions'], data: Record<string, unknown> = {}): MappedStatus => ({ adapter, observedGeneration: 2, conditions, data });
const TRUE = (type: string, reason = 'Ok', message = 'fine') => ({ type, status: 'True' as const, reason, message });

function input(kind: ResourceKind, statuses: MappedStatus[] = [], previous: ResourceCondition[] = [], spec: Record<string, unknown> = {}): MappingInput {
  return {
    kind,
    resource: { id: ID, name: 'c1', spec: { region: 'us', pullSecret: 's3cr3t', ...spec }, generation: 3, createdTime: CREATED, updatedTime: new Date(T_REF), createdBy: 'a@x', updatedBy: 'b@x', deletedTime: null, deletedBy: null },
    statuses,
    refTime: T_REF,
    previous,
  };
}

describe('masking', () => {
  it.each(['adminPassword', 'pullSecret', 'accessToken', 'gcpApiKey', 'api_key', 'sshPrivateKey', 'awsSecretKey', 'tlsCert', 'kubeconfigData', 'authorization', 'privateEndpoint', 'connectionString', 'bearerAuth', 'keyPassphrase', 'serviceCredential', 'AWSACCESSKEY'])(
    'masks %s',
    (key) => expect(isSensitiveKey(key)).toBe(true),
  );

  it.each(['clusterName', 'region', 'quotaRemaining', 'replicas'])('keeps %s', (key) => expect(isSensitiveKey(key)).toBe(false));

  it('replaces sensitive values through nested objects and lists, whatever they hold', () => {
    expect(maskSensitive({ name: 'n', db: { password: { nested: 1 }, hosts: [{ token: 't', port: 5432 }, [{ secretRef: 'x' }]] }, certs: ['a'] })).toEqual({
      name: 'n',
      db: { password: REDACTED, hosts: [{ token: REDACTED, port: 5432 }, [{ secretRef: REDACTED }]] },
      certs: REDACTED,
    });
  });

  it('empties what lies deeper than 20 levels', () => {
    let deep: unknown = { leaf: 'x' };
    for (let i = 0; i < MAX_MASK_DEPTH + 5; i++) deep = { d: deep };
    let masked = maskSensitive(deep) as Record<string, unknown>;
    let depth = 0;
    while (Object.keys(masked).length) {
      masked = masked.d as Record<string, unknown>;
      depth++;
    }
    expect(depth).toBe(MAX_MASK_DEPTH);
    expect(maskSensitive([[[]]], MAX_MASK_DEPTH)).toEqual([]);
  });

  it('keeps a key named __proto__ as a key', () => {
    const masked = maskSensitive(JSON.parse('{"__proto__": {"token": "x"}}')) as Record<string, unknown>;
    expect(Object.keys(masked)).toEqual(['__proto__']);
    expect(masked['__proto__']).toEqual({ token: REDACTED });
  });
});

describe('variables', () => {
  it('gives rules the resource with the original keys, masked, without labels or conditions', () => {
    const kind = buildKindRegistry([]).get('NodePool')!;
    const resource = resourceVariable(kind, { ...input(kind).resource, ownerId: OWNER });
    expect(resource).toEqual({
      ID,
      id: ID,
      CreatedTime: CREATED.toISOString(),
      created_time: CREATED.toISOString(),
      UpdatedTime: T_REF,
      updated_time: T_REF,
      kind: 'NodePool',
      name: 'c1',
      href: `/api/hyperfleet/v1/clusters/${OWNER}/nodepools/${ID}`,
      spec: { region: 'us', pullSecret: REDACTED },
      generation: 3,
      created_by: 'a@x',
      updated_by: 'b@x',
      deleted_time: null,
      deleted_by: null,
      owner_id: OWNER,
      owner_kind: 'Cluster',
      owner_href: `/api/hyperfleet/v1/clusters/${OWNER}`,
    });
  });

  it('leaves out adapters with any Unknown condition, and masks their data', () => {
    expect(
      statusesVariable([
        report('dns', [TRUE('Available'), { type: 'Health', status: 'Unknown' }]),
        report('landing', [TRUE('Available'), { type: 'NamespaceReady', status: 'False' }], { namespace: 'ns', apiToken: 't' }),
      ]),
    ).toEqual([
      {
        adapter: 'landing',
        observed_generation: 2,
        conditions: [
          { type: 'Available', status: 'True', reason: 'Ok', message: 'fine' },
          { type: 'NamespaceReady', status: 'False', reason: '', message: '' },
        ],
        data: { namespace: 'ns', apiToken: REDACTED },
      },
    ]);
  });
});

describe(mapConditions.name, () => {
  const landing = rule('LandingZoneReady', {
    when: 'statuses.exists(s, s.adapter == "landing" && s.conditions.exists(c, c.type == "NamespaceReady"))',
    status: 'statuses.filter(s, s.adapter == "landing")[0].conditions.filter(c, c.type == "NamespaceReady")[0].status',
    reason: 'statuses.filter(s, s.adapter == "landing")[0].conditions.filter(c, c.type == "NamespaceReady")[0].reason',
    message: '"Landing zone: " + statuses.filter(s, s.adapter == "landing")[0].conditions.filter(c, c.type == "NamespaceReady")[0].message',
  });

  it('produces a condition with the resource generation and T_ref times; none while `when` is false', () => {
    const kind = clusterWith(landing);
    expect(mapConditions(input(kind)).conditions).toEqual([]);
    const result = mapConditions(input(kind, [report('landing', [TRUE('NamespaceReady', 'Created', 'namespace ns created')])]));
    expect(result).toEqual({
      conditions: [
        {
          type: 'LandingZoneReady',
          status: 'True',
          reason: 'Created',
          message: 'Landing zone: namespace ns created',
          observed_generation: 3,
          created_time: T_REF,
          last_updated_time: T_REF,
          last_transition_time: T_REF,
        },
      ],
      failures: [],
      notes: [],
    });
  });

  it('keeps created_time, and last_transition_time while the status stays', () => {
    const kind = clusterWith(rule('A'), rule('B', { status: '"false"' }));
    const previous: ResourceCondition[] = ['A', 'B'].map((type) => ({ type, status: 'True', observed_generation: 2, created_time: CREATED.toISOString(), last_updated_time: EARLIER, last_transition_time: EARLIER }));
    const [a, b] = mapConditions(input(kind, [], previous)).conditions;
    expect(a).toMatchObject({ status: 'True', created_time: CREATED.toISOString(), last_transition_time: EARLIER, last_updated_time: T_REF });
    expect(b).toMatchObject({ status: 'False', created_time: CREATED.toISOString(), last_transition_time: T_REF, last_updated_time: T_REF });
  });

  it('sorts the conditions by type and takes a boolean status or any case of True/False', () => {
    const kind = clusterWith(rule('Zeta', { status: 'true' }), rule('Alpha', { status: '"FALSE"' }), rule('Mid', { status: 'resource.generation == 3' }));
    expect(mapConditions(input(kind)).conditions.map((c) => [c.type, c.status])).toEqual([
      ['Alpha', 'False'],
      ['Mid', 'True'],
      ['Zeta', 'True'],
    ]);
  });

  it('shows masked data to toJson and dig', () => {
    const kind = clusterWith(rule('Data', { message: 'toJson(statuses[0].data) + " " + string(dig(statuses[0].data, "quota.0.left")) + " " + toJson(resource.spec)' }));
    const [condition] = mapConditions(input(kind, [report('gcp', [TRUE('Available')], { quota: [{ left: 7 }], clientSecret: 'hunter2' })])).conditions;
    expect(condition.message).toBe(`{"clientSecret":"${REDACTED}","quota":[{"left":7}]} 7 {"pullSecret":"${REDACTED}","region":"us"}`);
  });

  it('leaves out a condition whose reason is over 256 bytes, and cuts a message over 2048 bytes at a character boundary', () => {
    const kind = clusterWith(rule('LongReason', { reason: 'resource.spec.r129' }), rule('LongMessage', { reason: 'resource.spec.r128', message: '"a" + resource.spec.m1100' }));
    const result = mapConditions(input(kind, [], [], { r129: 'é'.repeat(129), r128: 'é'.repeat(128), m1100: 'é'.repeat(1100) }));
    expect(result.conditions.map((c) => c.type)).toEqual(['LongMessage']);
    expect(Buffer.byteLength(result.conditions[0].reason!)).toBe(256);
    expect(result.conditions[0].message).toBe(`a${'é'.repeat(1023)}`);
    expect(result.notes).toEqual([
      { rule: 'LongMessage', what: 'message_truncated' },
      { rule: 'LongReason', what: 'reason_too_long' },
    ]);
  });

  it.each([
    ['an expression that throws', { status: 'statuses.filter(s, s.adapter == "nobody")[0].conditions[0].status' }, 'output.status', /index out of bounds/],
    ['a when that is not a boolean at run time', { when: 'resource.name' }, 'when', /^must give a boolean, but gave a string$/],
    ['a status that is not True or False', { status: '"Maybe"' }, 'output.status', /^invalid status value 'Maybe' \(must be True or False\)$/],
    ['a missing key', { message: 'resource.spec.nothing' }, 'output.message', /No such key: nothing/],
    ['toJson over 1 MiB', { message: 'toJson(resource.spec.blob)' }, 'output.message', /^toJson: output exceeds 1MB limit$/],
  ])('writes the condition Unknown (ConditionMappingError) on %s, naming the rule', (_what, parts, part, error) => {
    const kind = clusterWith(rule('Broken', parts), rule('Fine'));
    const previous: ResourceCondition[] = [{ type: 'Broken', status: 'Unknown', observed_generation: 2, created_time: CREATED.toISOString(), last_updated_time: EARLIER, last_transition_time: EARLIER }];
    const result = mapConditions(input(kind, [], previous, { blob: 'x'.repeat(1024 * 1024) }));
    expect(result.failures).toEqual([{ rule: 'Broken', part, error: expect.stringMatching(error) }]);
    const [broken, fine] = result.conditions;
    expect(broken).toEqual({
      type: 'Broken',
      status: 'Unknown',
      reason: CONDITION_MAPPING_ERROR,
      message: `Condition mapping rule 'Broken' failed: ${part}: ${result.failures[0].error}`,
      observed_generation: 3,
      created_time: CREATED.toISOString(),
      last_updated_time: T_REF,
      // still Unknown: the transition time stays
      last_transition_time: EARLIER,
    });
    expect(fine).toMatchObject({ type: 'Fine', status: 'True' });
  });

  it('does nothing for a kind without rules', () => {
    expect(mapConditions(input(buildKindRegistry([]).get('Cluster')!))).toEqual({ conditions: [], failures: [], notes: [] });
  });
});

describe(truncateUtf8.name, () => {
  it.each([
    ['abc', 5, 'abc'],
    ['abcdef', 3, 'abc'],
    ['aé', 2, 'a'],
    ['aé', 3, 'aé'],
    ['😀😀', 5, '😀'],
    ['😀', 3, ''],
  ])('cuts %j to %i bytes: %j', (text, max, expected) => expect(truncateUtf8(text, max)).toBe(expected));

  it('cuts at MAX_MESSAGE_BYTES', () => expect(Buffer.byteLength(truncateUtf8('x'.repeat(5000), MAX_MESSAGE_BYTES))).toBe(MAX_MESSAGE_BYTES));
});

describe(textOf.name, () => {
  it.each([
    ['s', 's'],
    [true, 'True'],
    [false, 'False'],
    [null, ''],
    [3n, '3'],
    [2.5, '2.5'],
    [[1n, 'x'], '[1,"x"]'],
    [new Map([['a', 1n]]), '{"a":1}'],
  ])('writes %p as %j', (value, expected) => expect(textOf(value)).toBe(expected));
});
