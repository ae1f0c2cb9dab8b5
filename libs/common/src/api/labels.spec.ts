import { validateLabels } from './labels';

describe(validateLabels.name, () => {
  it.each(['env', 'app.kubernetes.io/name', 'example.com/team', 'a', 'A_b-c.d', `x${'y'.repeat(62)}`, `${'a'.repeat(63)}.example.com/n`])('accepts the key %s', (key) => {
    expect(validateLabels({ [key]: 'v' })).toEqual([]);
  });

  it.each(['', '-env', 'env-', 'a b', 'Example.com/x', 'example.com/', '/name', 'a/b/c', `x${'y'.repeat(63)}`, `${'a'.repeat(64)}.com/n`, `${'a.'.repeat(127)}a/n`])('rejects the key %j', (key) => {
    expect(validateLabels({ [key]: 'v' })).toEqual([expect.objectContaining({ field: 'labels', value: key, constraint: 'pattern' })]);
  });

  it.each(['', 'prod', 'v1.2_3-x', 'A'.repeat(63)])('accepts the value %j', (value) => {
    expect(validateLabels({ k: value })).toEqual([]);
  });

  it.each(['-x', 'x-', 'a b', 'A'.repeat(64), 'ünï'])('rejects the value %j', (value) => {
    expect(validateLabels({ k: value })).toEqual([expect.objectContaining({ field: 'labels[k]', value, constraint: 'pattern' })]);
  });

  it('reports every problem, and non-string values and non-object maps', () => {
    expect(validateLabels({ 'bad key': 'bad value!', ok: 1 }).map((e) => e.field)).toEqual(['labels', 'labels[bad key]', 'labels[ok]']);
    expect(validateLabels(['a'])).toEqual([expect.objectContaining({ field: 'labels', constraint: 'type' })]);
    expect(validateLabels(null)).toHaveLength(1);
  });
});
