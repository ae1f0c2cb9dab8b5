import type { ServerResponse } from 'node:http';

/** Where a response finds the flow of its application (on the application's response prototype: installResponseFlow). */
const FLOW = Symbol('responseFlow');
/** Marks a response whose stall is watched already. */
const WATCHED = Symbol('stallWatched');

/**
 * What responses hold until their clients take it (docs/operations.md, Memory), bounded in time and in
 * sum. In time: a response none of whose bytes its client takes for `writeTimeoutMs`
 * (`server.write_timeout`) is cut, its connection closed, so that a client that never reads holds
 * nothing for long. In sum: the bytes written but not yet taken by every response of the process are
 * counted, and a list waits for room below `limit` (`server.unsent_bytes_limit`) before it reads a page,
 * and a large page before it reads its next batch; what is already read is sent.
 */
export class ResponseFlow {
  private held = 0;
  private readonly queue: Array<() => void> = [];
  /** Responses cut because their client took nothing for writeTimeoutMs. */
  cut = 0;

  constructor(
    readonly limit: number,
    readonly writeTimeoutMs: number,
    private readonly onCut: (res: ServerResponse) => void = () => undefined,
  ) {}

  /** Bytes written by responses and not yet taken by their clients (as counted by `hold`). */
  get unsent(): number {
    return this.held;
  }

  /** Counts `bytes` as held until the returned function is called (later calls do nothing). */
  hold(bytes: number): () => void {
    this.held += bytes;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.held -= bytes;
      while (this.held < this.limit && this.queue.length > 0) this.queue.shift()!();
    };
  }

  /** Resolves when the process holds less than its limit; `undefined` when it does now (no promise on the common path). */
  room(): Promise<void> | undefined {
    return this.held < this.limit ? undefined : new Promise<void>((resolve) => this.queue.push(resolve));
  }

  /**
   * Cuts `res` (closes its connection) when its client takes none of its unsent bytes for writeTimeoutMs:
   * from now until `taken(res)`, or until the response is done. The server's own pauses (a page waiting
   * for its next batch) do not count.
   */
  waiting(res: ServerResponse): void {
    const watched = res as ServerResponse & { [WATCHED]?: true };
    if (!watched[WATCHED]) {
      watched[WATCHED] = true;
      res.once('timeout', () => {
        this.cut++;
        this.onCut(res);
        res.socket?.destroy();
      });
    }
    // the socket's idle timer: any byte the client takes restarts it; Node sets its keep-alive timeout
    // again when the response is done
    res.setTimeout(this.writeTimeoutMs);
  }

  /** The client took what `res` had written (see `waiting`). */
  taken(res: ServerResponse): void {
    res.setTimeout(0);
  }

  /**
   * A response its handler ended: when its client has not taken all of it yet, those bytes are held until
   * the response closes, and it is cut if the client stalls. Looked at on the next tick: Node corks the
   * socket while it writes a response's head and body and uncorks it on the next tick, so at the end every
   * response would still look unsent (and each would arm a timer); after it, only those the socket could
   * not take whole do.
   */
  ended(res: ServerResponse): void {
    process.nextTick(this.afterEnd, this, res);
  }

  private afterEnd(this: void, flow: ResponseFlow, res: ServerResponse): void {
    const unsent = res.socket?.writableLength ?? 0;
    if (unsent === 0 || res.writableFinished) return;
    res.once('close', flow.hold(unsent));
    flow.waiting(res);
  }
}

/**
 * Installs `flow` on every response of the Express application whose response prototype is `responses`
 * (`app.response`): set there once, each response finds it without a write per request, and the
 * prototype's \`end\` tells the flow when a handler ended a response (no middleware, listener or closure per
 * request). A response ended before it has its socket (a pipelined one, queued behind the response before
 * it) is looked at when it gets it and is flushed ('prefinish').
 */
export function installResponseFlow(flow: ResponseFlow, responses: object): void {
  const proto = responses as { [FLOW]?: ResponseFlow; end: ServerResponse['end'] };
  proto[FLOW] = flow;
  const end = proto.end as (this: ServerResponse, ...args: unknown[]) => ServerResponse;
  const flushed = function (this: ServerResponse): void {
    flow.ended(this);
  };
  proto.end = function (this: ServerResponse, ...args: unknown[]): ServerResponse {
    // a second end() does nothing: the response is watched once
    if (this.writableEnded) return end.apply(this, args);
    const result = end.apply(this, args);
    if (this.socket) flow.ended(this);
    else this.once('prefinish', flushed);
    return result;
  } as ServerResponse['end'];
}

/** The flow of `res`'s application (installResponseFlow). */
export function responseFlowOf(res: ServerResponse): ResponseFlow | undefined {
  return (res as ServerResponse & { [FLOW]?: ResponseFlow })[FLOW];
}

/**
 * Writes `parts` and resolves when the client has taken them (true), at once when the socket took them
 * whole, or when the response closed first (false). Meanwhile a client that takes nothing for the write
 * timeout is cut (`flow.waiting`).
 */
export function writeTaken(res: ServerResponse, parts: readonly string[], flow?: ResponseFlow): Promise<boolean> {
  let room = true;
  for (const part of parts) room = res.write(part);
  if (room) return Promise.resolve(!res.destroyed);
  flow?.waiting(res);
  return new Promise<boolean>((resolve) => {
    const done = (taken: boolean) => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      if (taken) flow?.taken(res);
      resolve(taken);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}
