import { Migration } from '@mikro-orm/migrations';

/**
 * Clusters, node pools (FK to clusters), and the polymorphic adapter_statuses and labels tables.
 * Two deletion stages: deleted_time marks a resource for deletion, deleted_at removes it.
 */
export class Migration20261124235900_create_core_tables extends Migration {
  override up(): void {
    this.addSql(`create table "clusters" (
      "id" uuid not null, "name" text not null, "spec" jsonb not null,
      "generation" int not null default 1, "version" int not null default 1,
      "conditions" jsonb not null default '[]',
      "created_time" timestamptz not null, "updated_time" timestamptz not null,
      "created_by" text not null, "updated_by" text not null,
      "deleted_time" timestamptz null, "deleted_by" text null, "deleted_at" timestamptz null,
      primary key ("id")
    ) with (fillfactor = 90);`);
    this.addSql(`create unique index "clusters_live_name_uq" on "clusters" ("name") where deleted_time is null and deleted_at is null;`);
    this.addSql(`create index "clusters_created_idx" on "clusters" ("created_time", "id") where deleted_at is null;`);

    this.addSql(`create table "node_pools" (
      "id" uuid not null, "name" text not null, "spec" jsonb not null,
      "generation" int not null default 1, "version" int not null default 1,
      "conditions" jsonb not null default '[]',
      "created_time" timestamptz not null, "updated_time" timestamptz not null,
      "created_by" text not null, "updated_by" text not null,
      "deleted_time" timestamptz null, "deleted_by" text null, "deleted_at" timestamptz null,
      "owner_id" uuid not null,
      primary key ("id")
    ) with (fillfactor = 90);`);
    this.addSql(`alter table "node_pools" add constraint "node_pools_owner_id_foreign" foreign key ("owner_id") references "clusters" ("id") on update cascade on delete restrict;`);
    this.addSql(`create unique index "node_pools_live_name_uq" on "node_pools" ("owner_id", "name") where deleted_time is null and deleted_at is null;`);
    this.addSql(`create index "node_pools_owner_created_idx" on "node_pools" ("owner_id", "created_time", "id") where deleted_at is null;`);
    this.addSql(`create index "node_pools_created_idx" on "node_pools" ("created_time", "id") where deleted_at is null;`);

    this.addSql(`create table "adapter_statuses" (
      "id" uuid not null, "owner_type" text not null, "owner_id" uuid not null, "adapter" text not null,
      "observed_generation" int not null, "conditions" jsonb not null,
      "data" jsonb not null default '{}', "metadata" jsonb null,
      "created_time" timestamptz not null, "last_report_time" timestamptz not null,
      "deleted_at" timestamptz null,
      primary key ("id")
    ) with (fillfactor = 90);`);
    this.addSql(`alter table "adapter_statuses" add constraint "adapter_statuses_owner_adapter_uq" unique ("owner_type", "owner_id", "adapter");`);

    this.addSql(`create table "labels" (
      "owner_type" text not null, "owner_id" uuid not null, "key" text not null, "value" text not null,
      "deleted_at" timestamptz null,
      primary key ("owner_type", "owner_id", "key")
    );`);
    this.addSql(`create index "labels_search_idx" on "labels" ("owner_type", "key", "value", "owner_id");`);
    // owner_type, key and value are strongly correlated ('prod' only occurs under 'env'); without
    // multi-column statistics the planner multiplies their selectivities and misjudges label searches.
    this.addSql(`create statistics "labels_kv_stats" (mcv) on "owner_type", "key", "value" from "labels";`);
  }
}
