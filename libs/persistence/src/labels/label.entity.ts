import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { OwnerType } from '../resource.types';

/** One label of one resource (polymorphic owner); `labels.<key>='<value>'` searches use labels_live_search_idx. */
@Entity({ tableName: 'labels' })
@Index({ name: 'labels_live_search_idx', properties: ['ownerType', 'key', 'value', 'ownerId'], where: 'deleted_at is null' })
export class Label {
  @PrimaryKey({ type: 'text' })
  ownerType!: OwnerType;

  @PrimaryKey({ type: 'uuid' })
  ownerId!: string;

  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'text' })
  value!: string;

  @Property({ type: 'timestamptz', nullable: true })
  deletedAt?: Date | null;
}
