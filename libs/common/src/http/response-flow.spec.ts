import { ResponseFlow } from './response-flow';

describe('ResponseFlow: the bytes responses hold until their clients take them', () => {
  it('has room below its limit at once, without a promise', () => {
    const flow = new ResponseFlow(100, 1_000);
    flow.hold(99);
    expect(flow.room()).toBeUndefined();
    expect(flow.unsent).toBe(99);
  });

  it('lets waiters go in order as held bytes are released, and counts each release once', async () => {
    const flow = new ResponseFlow(100, 1_000);
    const first = flow.hold(60);
    const second = flow.hold(60);
    const order: string[] = [];
    const a = flow.room()!.then(() => order.push('a'));
    const b = flow.room()!.then(() => order.push('b'));
    first();
    first();
    expect(flow.unsent).toBe(60);
    // still 60 held: below the limit, both waiters go, first come first
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
    second();
    expect(flow.unsent).toBe(0);
  });

  it('keeps waiters waiting while the process holds its limit or more', async () => {
    const flow = new ResponseFlow(100, 1_000);
    const release = flow.hold(100);
    let went = false;
    const waiting = flow.room()!.then(() => (went = true));
    const other = flow.hold(10);
    other();
    await Promise.resolve();
    expect(went).toBe(false);
    release();
    await waiting;
    expect(went).toBe(true);
  });
});
