import { Migration } from '@mikro-orm/migrations';

/**
 * Indexes behind the search language: condition status (`status.conditions.<Type>='True'`, answered by
 * jsonb containment) and names of resources not removed (search also matches resources marked for deletion).
 */
export class Migration20261125001500_search_indexes extends Migration {
  override up(): void {
    this.addSql(`create index "clusters_conditions_gin" on "clusters" using gin ("conditions" jsonb_path_ops) where deleted_at is null;`);
    this.addSql(`create index "node_pools_conditions_gin" on "node_pools" using gin ("conditions" jsonb_path_ops) where deleted_at is null;`);
    this.addSql(`create index "clusters_name_idx" on "clusters" ("name") where deleted_at is null;`);
    this.addSql(`create index "node_pools_name_idx" on "node_pools" ("name") where deleted_at is null;`);
  }
}
