import { Migration } from '@mikro-orm/migrations';

/**
 * Each resource's condition statuses as a text array on its row (`{Reconciled=False,…}`, one
 * `<type>=<status>` element per aggregated condition), written by every statement that writes the
 * conditions, and the GIN index of `status.conditions.<Type>='<Status>'` searches moved onto it from
 * `conditions`. The conditions change on almost every write (times, observed generations, messages);
 * their statuses seldom do. With no index on `conditions`, an update that leaves the statuses as they
 * were touches no indexed column and can be a heap-only (HOT) update, which writes no index entry; the
 * tables' fill factor leaves room on each page for those new row versions.
 */
export class Migration20261203100000_condition_statuses extends Migration {
  override up(): void {
    for (const table of ['clusters', 'node_pools']) {
      this.addSql(`alter table "${table}" add column "condition_statuses" text[] not null default '{}';`);
      this.addSql(
        `update "${table}" r set "condition_statuses" = array(select s from jsonb_array_elements(r.conditions) e, concat(e.value ->> 'type', '=', e.value ->> 'status') s order by s collate "C") where r.conditions <> '[]';`,
      );
      this.addSql(`drop index "${table}_conditions_gin";`);
      this.addSql(`create index "${table}_condition_statuses_gin" on "${table}" using gin ("condition_statuses") where deleted_at is null;`);
      this.addSql(`alter table "${table}" set (fillfactor = 90);`);
    }
  }
}
