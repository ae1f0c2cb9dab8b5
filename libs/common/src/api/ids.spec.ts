import { isUuid, uuidv7 } from './ids';

describe(uuidv7.name, () => {
  it('makes lowercase RFC 9562 version-7 UUIDs carrying the creation time', () => {
    const now = Date.UTC(2026, 10, 24, 12, 0, 0);
    const id = uuidv7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('keeps ids made in the same millisecond in creation order and unique', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_800_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('isUuid accepts uuids only', () => {
    expect(isUuid(uuidv7())).toBe(true);
    expect(isUuid('2abcdefghijklmnopqrstuv01234567')).toBe(false);
    expect(isUuid("1' or '1'='1")).toBe(false);
  });
});
