import { Migration } from '@mikro-orm/migrations';

/**
 * Where a list's page ended (CONTRACT D17): the sort keys of its last item, per list and page, so that the
 * next page of the same list continues from there instead of counting an offset from the top. A poll of the
 * sentinel reads every page in turn; continuing from the previous page makes a page cost the same at any
 * depth, and a resource removed or created meanwhile shifts no later page. The poll's total, counted once on
 * its first page, goes with it, and the time of that page (`since`): later pages show no resource created
 * after it. Unlogged: a crash loses only the boundaries (lists then count from the top
 * again), and writing one is not worth WAL. Rows expire after a minute (removed by the API).
 */
export class Migration20261207200000_list_cursors extends Migration {
  override up(): void {
    this.addSql(`create unlogged table "list_cursors" (
      "list_key" text not null, "page" int not null,
      "last_keys" text[] not null, "total" bigint not null, "since" timestamptz not null, "written_at" timestamptz not null,
      primary key ("list_key", "page")
    );`);
    this.addSql(`create index "list_cursors_written_idx" on "list_cursors" ("written_at");`);
  }
}
