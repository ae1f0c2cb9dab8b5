import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * Where a page of a list ended (CONTRACT D17): its last item's sort keys as text, and the total of the poll it
 * belongs to and the time of its first page, so that the list's next page continues from there (ResourcePages). An unlogged table
 * (Migration20261207200000_list_cursors), rows expiring after a minute.
 */
@Entity({ tableName: 'list_cursors' })
@Index({ name: 'list_cursors_written_idx', properties: ['writtenAt'] })
export class ListCursor {
  /** The list: kind, scope, search, order and page size (a hash). */
  @PrimaryKey({ type: 'text' })
  listKey!: string;

  @PrimaryKey({ type: 'integer' })
  page!: number;

  @Property({ type: 'text[]' })
  lastKeys!: string[];

  @Property({ type: 'bigint' })
  total!: string;

  /** When the poll's first page was read: its later pages show no resource created after it. */
  @Property({ type: 'timestamptz' })
  since!: Date;

  @Property({ type: 'timestamptz' })
  writtenAt!: Date;
}
