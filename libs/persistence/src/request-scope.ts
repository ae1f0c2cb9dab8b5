import { AsyncLocalStorage } from 'node:async_hooks';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { Injectable, NestMiddleware } from '@nestjs/common';

/** One request's slot: the root entity manager, and the request's fork of it once something asked for one. */
interface Slot {
  readonly root: EntityManager;
  em?: EntityManager;
  /** While the fork is being made: its constructor resolves the context, and must get itself, as outside a request. */
  forking?: boolean;
}

const slots = new AsyncLocalStorage<Slot>();

/**
 * The ORM's request context, forked on first use. Each request runs in a slot of its own, and the slot's
 * fork of the entity manager (its own identity map and unit of work, as MikroORM's `RequestContext` gives
 * every request) is made only when the request first uses the entity manager: lists, status pages,
 * `require`. GET by id and the write paths run their statements on the pool (`queryBound`, `WriteStore`)
 * and never need it; forking for them anyway cost 3–4 µs and a dozen objects per request
 * (docs/performance.md, change 14). Installed as MikroORM's `context` option (`buildOrmOptions`).
 */
export const requestScope = {
  run<T>(root: EntityManager, next: () => T): T {
    return slots.run({ root }, next);
  },

  /** The current request's entity manager, forked now if this is its first use; none outside a request. */
  entityManager(name: string): EntityManager | undefined {
    const slot = slots.getStore();
    if (!slot || slot.forking || slot.root.name !== name) return undefined;
    if (!slot.em) {
      slot.forking = true;
      try {
        // from the root itself: resolving the root's context here would ask this function again
        slot.em = slot.root.fork({ useContext: true, disableContextResolution: true });
      } finally {
        slot.forking = false;
      }
    }
    return slot.em;
  },
};

/** Runs every routed request in a request scope (instead of MikroORM's eager `RequestContext` middleware). */
@Injectable()
export class RequestScopeMiddleware implements NestMiddleware {
  constructor(private readonly orm: MikroORM) {}

  use(_req: unknown, _res: unknown, next: () => void): void {
    requestScope.run(this.orm.em, next);
  }
}
