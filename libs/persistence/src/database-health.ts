import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

export type PingResult = { ok: true } | { ok: false; reason: string };

/** Answers "can the database serve a query now?" within a deadline. */
@Injectable()
export class DatabaseHealth {
  constructor(private readonly em: EntityManager) {}

  async ping(timeoutMs: number): Promise<PingResult> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<PingResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, reason: 'database ping timeout' }), timeoutMs);
    });
    const query = this.em
      .getConnection()
      .execute('select 1')
      .then((): PingResult => ({ ok: true }))
      .catch((): PingResult => ({ ok: false, reason: 'database unavailable' }));
    try {
      return await Promise.race([query, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
