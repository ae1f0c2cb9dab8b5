import { once } from 'node:events';
import { createServer, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { unreadRequests } from '../../../../test/support/unread';
import { until } from '../../../../test/support/until';
import { installResponseFlow, ResponseFlow } from './response-flow';

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

describe('installResponseFlow: the responses of a server, watched from their end', () => {
  // far more than loopback's socket buffers take: a client that does not read leaves most of it unsent
  const BODY = 'x'.repeat(32 * 1024 * 1024);
  let flow: ResponseFlow;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    flow = new ResponseFlow(1024 * 1024 * 1024, 60_000);
    // a response class of its own, as Express gives each application its own response prototype
    class Response extends ServerResponse {}
    installResponseFlow(flow, Response.prototype);
    server = createServer({ ServerResponse: Response }, (req, res) => {
      res.end(BODY);
      if (req.url === '/twice') res.end();
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('counts what a response ended twice could not send once, and gives it back when it closes', async () => {
    const socket = unreadRequests(port, ['/twice']);
    await until(() => flow.unsent > 0, 'the unsent bytes counted');
    const counted = flow.unsent;
    socket.destroy();
    await until(() => flow.unsent === 0, 'the unsent bytes given back');
    // once: at most the response's own bytes (its head and body), not twice them
    expect(counted).toBeLessThanOrEqual(BODY.length + 1024);
  });

  it('counts a pipelined response once it has its socket, after the one before it was taken', async () => {
    const socket = unreadRequests(port, ['/big', '/big']);
    await until(() => flow.unsent > 0, 'the first response counted');
    // the client reads the first answer whole, then stops
    let received = 0;
    let first = Infinity;
    await new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        // the first answer: its head (in the first chunk) and its body
        if (received === 0) first = chunk.indexOf('\r\n\r\n') + 4 + BODY.length;
        received += chunk.length;
        if (received >= first) {
          socket.pause();
          resolve();
        }
      });
      socket.resume();
    });
    // the second is flushed to the socket, which cannot take it whole: it is counted
    await until(() => flow.unsent > 0, 'the pipelined response counted');
    socket.destroy();
    await until(() => flow.unsent === 0, 'the unsent bytes given back');
  });
});
