import { AdapterStatus } from './statuses/adapter-status.entity';
import { Cluster } from './clusters/cluster.entity';
import { Label } from './labels/label.entity';
import { NodePool } from './node-pools/node-pool.entity';
import { ResourceEntity } from './resource.entity';

export const ENTITIES = [ResourceEntity, Cluster, NodePool, AdapterStatus, Label];
