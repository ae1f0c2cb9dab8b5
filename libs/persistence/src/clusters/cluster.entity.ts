import { Entity, Index, Unique } from '@mikro-orm/decorators/legacy';
import { ResourceEntity } from '../resource.entity';

@Entity({ tableName: 'clusters' })
@Unique({ name: 'clusters_live_name_uq', properties: ['name'], where: 'deleted_time is null and deleted_at is null' })
@Index({ name: 'clusters_created_idx', properties: ['createdTime', 'id'], where: 'deleted_at is null' })
@Index({ name: 'clusters_name_idx', properties: ['name'], where: 'deleted_at is null' })
@Index({ name: 'clusters_conditions_gin', expression: 'create index "clusters_conditions_gin" on "clusters" using gin ("conditions" jsonb_path_ops) where deleted_at is null' })
export class Cluster extends ResourceEntity {}
