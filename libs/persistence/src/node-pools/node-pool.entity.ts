import { Entity, Index, ManyToOne, Unique } from '@mikro-orm/decorators/legacy';
import { Cluster } from '../clusters/cluster.entity';
import { ResourceEntity } from '../resource.entity';

@Entity({ tableName: 'node_pools' })
@Unique({ name: 'node_pools_live_name_uq', properties: ['cluster', 'name'], where: 'deleted_time is null and deleted_at is null' })
@Index({ name: 'node_pools_owner_created_idx', properties: ['cluster', 'createdTime', 'id'], where: 'deleted_at is null' })
@Index({ name: 'node_pools_created_idx', properties: ['createdTime', 'id'], where: 'deleted_at is null' })
@Index({ name: 'node_pools_name_idx', properties: ['name'], where: 'deleted_at is null' })
@Index({ name: 'node_pools_condition_statuses_gin', expression: 'create index "node_pools_condition_statuses_gin" on "node_pools" using gin ("condition_statuses") where deleted_at is null' })
export class NodePool extends ResourceEntity {
  /** The owning cluster (column `owner_id`). */
  @ManyToOne(() => Cluster, { fieldName: 'owner_id', deleteRule: 'restrict', updateRule: 'cascade' })
  cluster!: Cluster;
}
