import { JoinedJson, pageJson, pageOf } from './page';

/** The items as PostgreSQL sends them: runs of comma-joined items, `size` items per run, the separating comma leading every run but the first. */
function joined(texts: string[], size: number): JoinedJson {
  const parts: string[] = [];
  for (let i = 0; i < texts.length; i += size) parts.push((i === 0 ? '' : ',') + texts.slice(i, i + size).join(','));
  return { count: texts.length, parts };
}

describe('pageJson', () => {
  it.each([
    ['no items', []],
    ['one item', [{ id: 'a', n: 1 }]],
    ['several items, in their order', [{ id: 'b' }, { id: 'a', s: 'x"\n' }, { id: 'c', nested: { z: [1, null] } }, { id: 'd' }, { id: 'é€' }]],
  ] as [string, Record<string, unknown>[]][])('its parts, written one after another, are exactly JSON.stringify(pageOf(...)) (%s)', (_, items) => {
    const texts = items.map((item) => JSON.stringify(item));
    const expected = JSON.stringify(pageOf('ClusterList', 3, 42, items));
    // all items in one run, a run per item, and runs of two (the last one shorter)
    for (const size of [Math.max(texts.length, 1), 1, 2]) {
      expect(pageJson('ClusterList', 3, 42, joined(texts, size)).join('')).toBe(expected);
    }
  });

  it('keeps the items apart from the envelope: no string holds the whole page', () => {
    const texts = ['{"id":"a"}', '{"id":"b"}', '{"id":"c"}'];
    const parts = pageJson('NodePoolList', 1, 3, joined(texts, 1));
    expect(parts).toEqual(['{"kind":"NodePoolList","page":1,"size":3,"total":3,"items":[', '{"id":"a"}', ',{"id":"b"}', ',{"id":"c"}', ']}']);
  });
});
