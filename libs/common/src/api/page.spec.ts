import { pageJson, pageOf } from './page';

describe('pageJson', () => {
  it.each([
    ['no items', []],
    ['one item', [{ id: 'a', n: 1 }]],
    ['several items, in their order', [{ id: 'b' }, { id: 'a', s: 'x"\n' }, { id: 'c', nested: { z: [1, null] } }]],
  ] as [string, Record<string, unknown>[]][])('writes exactly the text of JSON.stringify(pageOf(...)) (%s)', (_, items) => {
    const texts = items.map((item) => JSON.stringify(item));
    expect(pageJson('ClusterList', 3, 42, texts)).toBe(JSON.stringify(pageOf('ClusterList', 3, 42, items)));
    // the same items as PostgreSQL joins them (string_agg with ',')
    expect(pageJson('ClusterList', 3, 42, { count: texts.length, json: texts.join(',') })).toBe(JSON.stringify(pageOf('ClusterList', 3, 42, items)));
  });
});
