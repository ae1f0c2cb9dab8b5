import { ConfigError } from '../config-error';
import { compileConditionRules, compileExpression, dig, MAX_TO_JSON_BYTES, toJson } from './condition-rules';
import { buildKindRegistry } from './kind-registry';

const rule = (type: string, parts: Partial<Record<'when' | 'status' | 'reason' | 'message', string>> = {}) => ({
  type,
  when: { expression: parts.when ?? 'true' },
  output: { status: { expression: parts.status ?? '"True"' }, reason: { expression: parts.reason ?? '"Mapped"' }, message: { expression: parts.message ?? '"ok"' } },
});

/** The problems buildKindRegistry reports for a Channel kind with these rules; fails the test when it reports none. */
function problemsOf(rules: ReturnType<typeof rule>[]): string[] {
  try {
    buildKindRegistry([{ kind: 'Channel', plural: 'channels', conditions: rules }]);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the registry accepted rules it should refuse');
}

const LANDING_ZONE = {
  when: 'statuses.exists(s, s.adapter == "landing-zone-adapter" && s.conditions.exists(c, c.type == "NamespaceReady"))',
  status: 'statuses.filter(s, s.adapter == "landing-zone-adapter")[0].conditions.filter(c, c.type == "NamespaceReady")[0].status',
  reason: 'statuses.filter(s, s.adapter == "landing-zone-adapter")[0].conditions.filter(c, c.type == "NamespaceReady")[0].reason',
  message: '"Landing zone: " + statuses.filter(s, s.adapter == "landing-zone-adapter")[0].conditions.filter(c, c.type == "NamespaceReady")[0].message',
};

describe('condition rules', () => {
  it("compiles the original's documented rules, optional chaining, dig and toJson included, sorted by type", () => {
    const registry = buildKindRegistry([
      {
        kind: 'Channel',
        plural: 'channels',
        conditions: [
          rule('ZoneReady', LANDING_ZONE),
          rule('GCPQuotaStatus', {
            when: 'statuses.exists(s, s.adapter == "gcp-adapter" && s.?data.?quotaRemaining.hasValue())',
            status: 'statuses.filter(s, s.adapter == "gcp-adapter")[0].?data.?quotaRemaining.orValue(0) > 10 ? "True" : "False"',
            message: '"GCP quota remaining: " + string(statuses.filter(s, s.adapter == "gcp-adapter")[0].?data.?quotaRemaining.orValue(0))',
          }),
          rule('Digged', { when: 'dig(resource.spec, "a.b.0") != null', message: 'toJson(resource.spec)' }),
        ],
      },
    ]);
    const rules = registry.get('Channel')!.rules;
    expect(rules.map((r) => r.type)).toEqual(['Digged', 'GCPQuotaStatus', 'ZoneReady']);
    const activation = {
      statuses: [{ adapter: 'gcp-adapter', observed_generation: 1, conditions: [], data: { quotaRemaining: 25 } }],
      resource: { spec: { a: { b: ['x'] } } },
    };
    expect(rules[1].status.evaluate(activation)).toBe('True');
    expect(rules[1].message.evaluate(activation)).toBe('GCP quota remaining: 25');
    expect(rules[0].when.evaluate(activation)).toBe(true);
    expect(rules[0].message.evaluate(activation)).toBe('{"a":{"b":["x"]}}');
    expect(Object.isFrozen(rules)).toBe(true);
  });

  it.each([
    ['a syntax error', { when: 'statuses.exists(s, s.adapter == )' }, /^entities\[0\] \(Channel\): conditions\[0\] \(Ready\)\.when: syntax error at line 1, column 33: Unexpected token: RPAREN \(near ".*s\.adapter == \)"\)$/],
    ['an unknown function', { status: 'upper("x")' }, /^entities\[0\] \(Channel\): conditions\[0\] \(Ready\)\.output\.status: type error at line 1, column 1: found no matching overload for 'upper\(string\)'/],
    ['an unknown variable', { reason: 'labels.team' }, /^entities\[0\] \(Channel\): conditions\[0\] \(Ready\)\.output\.reason: type error at line 1, column 1: Unknown variable: labels/],
    ['a wrong number of arguments', { message: 'toJson(1, 2)' }, /\.output\.message: type error at line 1, column 1: found no matching overload for 'toJson\(int, int\)'/],
    ['a when that cannot be a boolean', { when: '"yes"' }, /\.when: must give a boolean, but gives string$/],
    ['a status that cannot be True or False', { status: '1 + 2' }, /\.output\.status: must give "True" or "False" \(a string, case-insensitive\) or a boolean, but gives int$/],
    ['an error on a later line', { when: 'true &&\n  statuses.size() > "1"' }, /\.when: type error at line 2, column \d+: no such overload: int > string/],
  ])('stops the start-up on %s, naming the entity, the rule and the position', (_what, parts, expected) => {
    const problems = problemsOf([rule('Ready', parts)]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it('reports every failing expression of every rule', () => {
    expect(problemsOf([rule('A', { when: '(' }), rule('B', { status: 'nope', message: 'nope' })]).map((p) => p.replace(/:.*$/s, ''))).toEqual([
      'entities[0] (Channel)',
      'entities[0] (Channel)',
      'entities[0] (Channel)',
    ]);
    expect(problemsOf([rule('A', { when: '(' }), rule('B', { status: 'nope', message: 'nope' })]).map((p) => /conditions\[\d\] \(\w+\)\.[\w.]+/.exec(p)![0])).toEqual([
      'conditions[0] (A).when',
      'conditions[1] (B).output.status',
      'conditions[1] (B).output.message',
    ]);
  });

  it('bounds the size of an expression', () => {
    const huge = Array.from({ length: 1200 }, () => 'true').join(' && ');
    expect(compileExpression(huge)).toEqual({ error: expect.stringMatching(/Exceeded maxAstNodes \(2000\)/) });
  });

  it('leaves out rules that did not compile and keeps the others', () => {
    expect(compileConditionRules([{ index: 0, value: { type: 'A', when: '(', status: '"True"', reason: '""', message: '""' } }], () => undefined)).toEqual([]);
  });
});

describe(toJson.name, () => {
  it('writes CEL values as JSON: ints exactly, maps, lists, null', () => {
    expect(toJson({ n: 1.5, big: 9007199254740993n, list: [1n, 'x', null, { b: 1, a: 2 }], map: new Map([['z', true], ['k', false]]) })).toBe(
      '{"big":9007199254740993,"list":[1,"x",null,{"a":2,"b":1}],"map":{"k":false,"z":true},"n":1.5}',
    );
    expect(toJson(null)).toBe('null');
  });

  it('refuses output over 1 MiB', () => {
    expect(toJson('x'.repeat(MAX_TO_JSON_BYTES - 2))).toHaveLength(MAX_TO_JSON_BYTES);
    expect(() => toJson('x'.repeat(MAX_TO_JSON_BYTES - 1))).toThrow('toJson: output exceeds 1MB limit');
    // counted in bytes, not characters
    expect(() => toJson('é'.repeat(MAX_TO_JSON_BYTES / 2))).toThrow('toJson: output exceeds 1MB limit');
  });
});

describe(dig.name, () => {
  const data = { quota: { remaining: 3 }, items: [{ name: 'a' }, { name: 'b' }], empty: null };
  it.each([
    ['quota.remaining', 3],
    ['items.1.name', 'b'],
    [' items . 0 . name ', 'a'],
    ['items..0.name', 'a'],
    ['', data],
    ['quota.missing', null],
    ['items.2.name', null],
    ['items.x', null],
    ['items.-1', null],
    ['empty.x', null],
    ['quota.remaining.deeper', null],
    ['constructor', null],
    ['__proto__', null],
  ])('dig(data, %j) is %j', (path, expected) => {
    expect(dig(data, path)).toEqual(expected);
  });

  it('walks CEL maps too', () => {
    expect(dig(new Map([['a', new Map([['b', 1n]])]]), 'a.b')).toBe(1n);
  });
});
