import { Entity, Index, Unique } from '@mikro-orm/decorators/legacy';
import { ResourceEntity } from '../resource.entity';

@Entity({ tableName: 'clusters' })
@Unique({ name: 'clusters_live_name_uq', properties: ['name'], where: 'deleted_time is null and deleted_at is null' })
@Index({ name: 'clusters_created_idx', properties: ['createdTime', 'id'], where: 'deleted_at is null' })
@Index({ name: 'clusters_name_idx', properties: ['name'], where: 'deleted_at is null' })
@Index({ name: 'clusters_condition_statuses_gin', expression: 'create index "clusters_condition_statuses_gin" on "clusters" using gin ("condition_statuses") where deleted_at is null' })
export class Cluster extends ResourceEntity {}
