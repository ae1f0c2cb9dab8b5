import { ValidationError } from '../errors/errors';
import { parseListQuery } from './list-query';

const ORDERABLE = { id: 'id', name: 'name', created_time: 'createdTime', generation: 'generation' };

describe(parseListQuery.name, () => {
  it('defaults to page 1, size 20, created_time desc', () => {
    expect(parseListQuery({}, ORDERABLE)).toEqual({ page: 1, size: 20, order: [{ field: 'createdTime', direction: 'desc' }], search: undefined, deprecated: false });
  });

  it('reads comma-separated and repeated order items, asc by default', () => {
    expect(parseListQuery({ order: ['name asc, generation desc', 'id'] }, ORDERABLE).order).toEqual([
      { field: 'name', direction: 'asc' },
      { field: 'generation', direction: 'desc' },
      { field: 'id', direction: 'asc' },
    ]);
    expect(parseListQuery({ order: ' , ' }, ORDERABLE).order).toEqual([{ field: 'createdTime', direction: 'desc' }]);
  });

  it('collects every page/size problem in one 400', () => {
    try {
      parseListQuery({ page: '0', size: 'x' }, ORDERABLE);
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).errors!.map((e) => [e.field, e.constraint])).toEqual([
        ['page', 'min'],
        ['size', 'format'],
      ]);
    }
  });

  it('takes the deprecated aliases only when the new names are absent, clamping pageSize', () => {
    expect(parseListQuery({ pageSize: '65500', orderBy: 'name desc' }, ORDERABLE)).toMatchObject({ size: 100, order: [{ field: 'name', direction: 'desc' }], deprecated: true });
    expect(parseListQuery({ pageSize: '0' }, ORDERABLE).size).toBe(1);
    expect(parseListQuery({ size: '5', pageSize: '50', order: 'id', orderBy: 'name' }, ORDERABLE)).toMatchObject({ size: 5, order: [{ field: 'id', direction: 'asc' }], deprecated: false });
  });

  it('reads a seed-era order=asc|desc as the direction of orderBy items that name none (D16)', () => {
    expect(parseListQuery({ orderBy: 'name', order: 'desc' }, ORDERABLE)).toMatchObject({ order: [{ field: 'name', direction: 'desc' }], deprecated: true });
    expect(parseListQuery({ orderBy: 'name, generation asc', order: 'DESC' }, ORDERABLE).order).toEqual([
      { field: 'name', direction: 'desc' },
      { field: 'generation', direction: 'asc' },
    ]);
    expect(parseListQuery({ orderBy: 'name', order: 'asc' }, ORDERABLE).order).toEqual([{ field: 'name', direction: 'asc' }]);
    // without orderBy, or with an order that names a field, `order` is the sort as before
    expect(() => parseListQuery({ order: 'desc' }, ORDERABLE)).toThrow(expect.objectContaining({ code: 'HYPERFLEET-VAL-005' }));
    expect(parseListQuery({ orderBy: 'name', order: 'generation desc' }, ORDERABLE)).toMatchObject({ order: [{ field: 'generation', direction: 'desc' }], deprecated: false });
  });

  // constructor and __proto__ used to find Object.prototype's members and end in a 500
  it.each(['Name', 'name ASC', 'name  up', 'unknown', 'spec.x', 'constructor', '__proto__ desc'])('rejects order %j with VAL-005', (order) => {
    expect(() => parseListQuery({ order }, ORDERABLE)).toThrow(expect.objectContaining({ code: 'HYPERFLEET-VAL-005' }));
  });

  it('keeps a non-blank search', () => {
    expect(parseListQuery({ search: "name='a'" }, ORDERABLE).search).toBe("name='a'");
    expect(parseListQuery({ search: '  ' }, ORDERABLE).search).toBeUndefined();
  });
});
