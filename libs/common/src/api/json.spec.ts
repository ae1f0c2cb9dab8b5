import { jsonBodyProblem, jsonEqual, MAX_JSON_DEPTH, plainJsonText } from './json';

const nest = (levels: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe(jsonEqual.name, () => {
  it('ignores key order, respects array order and types', () => {
    expect(jsonEqual({ a: 1, b: { c: [1, { d: null }] } }, { b: { c: [1, { d: null }] }, a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(jsonEqual({ a: undefined }, {})).toBe(false);
    expect(jsonEqual({}, [])).toBe(false);
    expect(jsonEqual(null, {})).toBe(false);
  });

  it('compares values of any depth without overflowing the stack (it used to recurse)', () => {
    expect(jsonEqual(nest(100_000), nest(100_000))).toBe(true);
    expect(jsonEqual(nest(100_000, 1), nest(100_000, 2))).toBe(false);
  });

  it('treats __proto__ and constructor keys as plain data', () => {
    const a = JSON.parse('{"__proto__":{"x":1},"constructor":1}');
    expect(jsonEqual(a, JSON.parse('{"constructor":1,"__proto__":{"x":1}}'))).toBe(true);
    expect(jsonEqual(a, JSON.parse('{"__proto__":{"x":2},"constructor":1}'))).toBe(false);
    expect(jsonEqual({ constructor: 1 }, { toString: 1 })).toBe(false);
  });
});

describe(jsonBodyProblem.name, () => {
  it('accepts ordinary JSON, emoji, empty keys and nesting up to the limit (the body is level 1)', () => {
    expect(jsonBodyProblem({ a: ['x', 1.5, -0, 1e308, null, true], '': { 'ünï': '😀' } })).toBeUndefined();
    expect(jsonBodyProblem(nest(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonBodyProblem('plain')).toBeUndefined();
  });

  it('rejects nesting past the limit at any depth, naming the top-level property', () => {
    expect(jsonBodyProblem({ spec: nest(MAX_JSON_DEPTH - 1) })).toBeUndefined();
    expect(jsonBodyProblem({ spec: nest(MAX_JSON_DEPTH) })).toBe(`JSON must not be nested more than ${MAX_JSON_DEPTH} levels deep (in spec)`);
    expect(jsonBodyProblem(nest(MAX_JSON_DEPTH + 1))).toMatch(/nested more than 128 levels deep \(in a\)$/);
    expect(jsonBodyProblem(nest(1_000_000))).toMatch(/nested more than 128 levels deep/);
    expect(jsonBodyProblem([[1]], 1)).toBe('JSON must not be nested more than 1 levels deep (in [0])');
  });

  it('rejects U+0000 and unpaired surrogates in strings and keys, and numbers that overflowed, with their path', () => {
    expect(jsonBodyProblem({ spec: { a: [1, 'x\u0000'] } })).toBe('strings must not contain the NUL character (\\u0000) (at spec.a[1])');
    expect(jsonBodyProblem({ spec: { 'k\u0000': 1 } })).toBe('object keys must not contain the NUL character (\\u0000) (at spec)');
    expect(jsonBodyProblem({ s: '\ud800' })).toBe('strings must not contain unpaired UTF-16 surrogates (at s)');
    expect(jsonBodyProblem({ s: 'a\udc00b' })).toMatch(/unpaired/);
    expect(jsonBodyProblem({ s: '\ud83d\ude00' })).toBeUndefined();
    expect(jsonBodyProblem(JSON.parse('{"n":[1e400]}'))).toBe('number out of range (at n[0])');
    expect(jsonBodyProblem({ n: -Infinity })).toBe('number out of range (at n)');
    expect(jsonBodyProblem({ n: NaN })).toBe('number out of range (at n)');
    expect(jsonBodyProblem({ [`${'k'.repeat(100)}`]: '\u0000' })).toBe(`strings must not contain the NUL character (\\u0000) (at ${'k'.repeat(40)}…)`);
  });
});

describe(plainJsonText.name, () => {
  const texts = [
    '{"kind":"Cluster","name":"c1","spec":{"a":[1,2.5,{"b":null}],"s":"x\\"y\\\\"},"labels":{"env":"prod"}}',
    '{"s":"\\u0000"}',
    '{"k\\u0000":1}',
    '{"s":"\\\\u0000"}',
    '{"s":"\\ud800"}',
    '{"s":"\\uDC00x"}',
    '{"s":"\\ud83d\\ude00"}',
    '{"n":1e400}',
    '{"n":-1E+309}',
    '{"n":1e99}',
    '{"n":1e100}',
    `{"n":${'9'.repeat(310)}}`,
    `{"n":${'9'.repeat(250)}e90}`,
    JSON.stringify(nest(MAX_JSON_DEPTH)),
    JSON.stringify(nest(MAX_JSON_DEPTH + 1)),
    JSON.stringify({ spec: nest(MAX_JSON_DEPTH) }),
    JSON.stringify({ s: '['.repeat(200) }),
    '"plain"',
  ];

  it('answers plain only for text whose parsed value jsonBodyProblem accepts', () => {
    for (const text of texts) if (plainJsonText(text)) expect([text, jsonBodyProblem(JSON.parse(text))]).toEqual([text, undefined]);
  });

  it('answers plain for ordinary bodies, and not for the escapes, numbers and nesting the walk must judge', () => {
    expect(plainJsonText(texts[0])).toBe(true);
    expect(plainJsonText(JSON.stringify(nest(MAX_JSON_DEPTH)))).toBe(true);
    expect(plainJsonText('{"n":1e99}')).toBe(true);
    for (const text of ['{"s":"\\u0000"}', '{"k\\u0000":1}', '{"s":"\\ud800"}', '{"n":1e400}', `{"n":${'9'.repeat(310)}}`, `{"n":${'9'.repeat(250)}e90}`, JSON.stringify(nest(MAX_JSON_DEPTH + 1))])
      expect([text.slice(0, 30), plainJsonText(text)]).toEqual([text.slice(0, 30), false]);
  });
});
