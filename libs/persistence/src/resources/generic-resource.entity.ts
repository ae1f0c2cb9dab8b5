import { Entity, Index, Property, Unique } from '@mikro-orm/decorators/legacy';
import { ResourceEntity } from '../resource.entity';

/**
 * A resource of a kind the configuration declares (CONTRACT D13): every kind but Cluster and NodePool
 * lives in this one table, told apart by `kind`. A child's owner is a row of its parent kind's table,
 * whichever that is, so there is no foreign key; its hrefs are stored, because they follow its owners'.
 */
@Entity({ tableName: 'resources' })
@Unique({ name: 'resources_live_root_name_uq', properties: ['kind', 'name'], where: 'owner_id is null and deleted_time is null and deleted_at is null' })
@Unique({ name: 'resources_live_child_name_uq', properties: ['kind', 'ownerId', 'name'], where: 'owner_id is not null and deleted_time is null and deleted_at is null' })
@Index({ name: 'resources_kind_created_idx', properties: ['kind', 'createdTime', 'id'], where: 'deleted_at is null' })
@Index({ name: 'resources_kind_owner_created_idx', properties: ['kind', 'ownerId', 'createdTime', 'id'], where: 'deleted_at is null' })
@Index({ name: 'resources_kind_name_idx', properties: ['kind', 'name'], where: 'deleted_at is null' })
@Index({ name: 'resources_condition_statuses_gin', expression: 'create index "resources_condition_statuses_gin" on "resources" using gin ("condition_statuses") where deleted_at is null' })
export class GenericResource extends ResourceEntity {
  @Property({ type: 'text' })
  kind!: string;

  @Property({ type: 'text', nullable: true })
  ownerKind?: string | null;

  @Property({ type: 'uuid', nullable: true })
  ownerId?: string | null;

  @Property({ type: 'text' })
  href!: string;

  @Property({ type: 'text', nullable: true })
  ownerHref?: string | null;
}
