import { describeQuery } from './query-observer';

describe('describeQuery', () => {
  it('names a statement by its operation and table', () => {
    expect(describeQuery('select * from clusters where id = $1')).toEqual({ operation: 'select', table: 'clusters' });
    expect(describeQuery('update "node_pools" set conditions = $1 where id = $2')).toEqual({ operation: 'update', table: 'node_pools' });
    expect(describeQuery('begin')).toEqual({ operation: 'begin', table: '' });
  });

  it('names a statement with a common table expression after the expression’s statement', () => {
    expect(describeQuery('with r as (insert into clusters (id) values ($1) returning id) insert into labels select 1 from r')).toEqual({ operation: 'insert', table: 'clusters' });
  });

  it('keeps the label values bounded', () => {
    expect(describeQuery('select 1 from pg_class')).toEqual({ operation: 'select', table: 'other' });
    expect(describeQuery('vacuum')).toEqual({ operation: 'other', table: '' });
  });
});
