import { pgDate } from './resource-row';

describe('pgDate', () => {
  it.each([
    ['2026-12-04 20:14:13.123456+00', '2026-12-04T20:14:13.123Z'],
    ['2026-12-04 20:14:13+00', '2026-12-04T20:14:13.000Z'],
    ['2026-12-04 13:14:13.5-07', '2026-12-04T20:14:13.500Z'],
    ['2026-12-05 01:44:13.123+05:30', '2026-12-04T20:14:13.123Z'],
    ['2026-12-04T20:14:13.123Z', '2026-12-04T20:14:13.123Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(pgDate(text)?.toISOString()).toBe(iso);
  });

  it('keeps a Date and maps null and undefined to null', () => {
    const d = new Date('2026-12-04T20:14:13.123Z');
    expect(pgDate(d)).toBe(d);
    expect(pgDate(null)).toBeNull();
    expect(pgDate(undefined)).toBeNull();
  });
});
