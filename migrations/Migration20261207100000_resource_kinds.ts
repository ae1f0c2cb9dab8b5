import { Migration } from '@mikro-orm/migrations';

/**
 * Kinds as configuration (CONTRACT D13): every kind other than Cluster and NodePool lives in one
 * `resources` table, with the same columns as `clusters` plus its kind, its owner (a row of any kind's
 * table: no foreign key) and its hrefs, stored because a child's href follows its owners'. Names are
 * unique per kind among live roots, and per kind and owner among live children. References between
 * resources (CONTRACT §5.6) are rows of `resource_references`, keyed by the referring resource.
 */
export class Migration20261207100000_resource_kinds extends Migration {
  override up(): void {
    this.addSql(`create table "resources" (
      "id" uuid not null, "kind" text not null, "name" text not null, "spec" jsonb not null,
      "generation" int not null default 1, "version" int not null default 1,
      "conditions" jsonb not null default '[]', "condition_statuses" text[] not null default '{}',
      "created_time" timestamptz not null, "updated_time" timestamptz not null,
      "created_by" text not null, "updated_by" text not null,
      "deleted_time" timestamptz null, "deleted_by" text null, "deleted_at" timestamptz null,
      "rendered_labels" text null,
      "owner_kind" text null, "owner_id" uuid null, "href" text not null, "owner_href" text null,
      primary key ("id")
    ) with (fillfactor = 90);`);
    this.addSql(`create unique index "resources_live_root_name_uq" on "resources" ("kind", "name") where owner_id is null and deleted_time is null and deleted_at is null;`);
    this.addSql(`create unique index "resources_live_child_name_uq" on "resources" ("kind", "owner_id", "name") where owner_id is not null and deleted_time is null and deleted_at is null;`);
    this.addSql(`create index "resources_kind_created_idx" on "resources" ("kind", "created_time", "id") where deleted_at is null;`);
    this.addSql(`create index "resources_kind_owner_created_idx" on "resources" ("kind", "owner_id", "created_time", "id") where deleted_at is null;`);
    this.addSql(`create index "resources_kind_name_idx" on "resources" ("kind", "name") where deleted_at is null;`);
    this.addSql(`create index "resources_condition_statuses_gin" on "resources" using gin ("condition_statuses") where deleted_at is null;`);

    this.addSql(`create table "resource_references" (
      "owner_id" uuid not null, "ref_type" text not null, "target_id" uuid not null,
      "owner_kind" text not null, "target_kind" text not null, "position" int not null,
      "deleted_at" timestamptz null,
      primary key ("owner_id", "ref_type", "target_id")
    );`);
    // inbound references (a deletion's 409, the removal that clears them) and the ref_type/ref_target_id list filter
    this.addSql(`create index "resource_references_target_idx" on "resource_references" ("target_id", "ref_type", "owner_id") where deleted_at is null;`);
  }
}
