import { AdapterStatus } from './statuses/adapter-status.entity';
import { Cluster } from './clusters/cluster.entity';
import { GenericResource } from './resources/generic-resource.entity';
import { Label } from './labels/label.entity';
import { ListCursor } from './resources/list-cursor.entity';
import { NodePool } from './node-pools/node-pool.entity';
import { ResourceReference } from './references/resource-reference.entity';
import { ResourceEntity } from './resource.entity';

export const ENTITIES = [ResourceEntity, Cluster, NodePool, GenericResource, AdapterStatus, Label, ResourceReference, ListCursor];
