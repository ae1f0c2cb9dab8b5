import { Migration } from '@mikro-orm/migrations';

/**
 * Label searches filter on `deleted_at is null`; with that predicate in the index itself the lookup
 * `labels.<key>='<value>'` is answered from the index alone (no visit to the table per matching label).
 */
export class Migration20261125020000_live_labels_index extends Migration {
  override up(): void {
    this.addSql(`create index "labels_live_search_idx" on "labels" ("owner_type", "key", "value", "owner_id") where deleted_at is null;`);
    this.addSql(`drop index "labels_search_idx";`);
  }
}
