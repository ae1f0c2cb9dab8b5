import { Migration } from '@mikro-orm/migrations';

/**
 * The live labels of each resource as their wire JSON text, on the resource row: `{"key":"value",…}`,
 * keys in order, NULL when there are none. The write that changes a resource's labels writes this text
 * in the same statement, from the same values; reads (GET by id, list pages) send it as it is instead of
 * aggregating the labels table per resource. The labels table stays what searches use.
 */
export class Migration20261202110000_rendered_labels extends Migration {
  override up(): void {
    for (const [table, kind] of [
      ['clusters', 'Cluster'],
      ['node_pools', 'NodePool'],
    ]) {
      this.addSql(`alter table "${table}" add column "rendered_labels" text null;`);
      this.addSql(
        `update "${table}" r set "rendered_labels" = (select '{' || string_agg(to_json(l.key)::text || ':' || to_json(l.value)::text, ',' order by l.key) || '}' from labels l where l.owner_type = '${kind}' and l.owner_id = r.id and l.deleted_at is null) where exists (select 1 from labels l where l.owner_type = '${kind}' and l.owner_id = r.id and l.deleted_at is null);`,
      );
    }
  }
}
