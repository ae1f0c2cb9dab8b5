import { AdapterStatus } from './statuses/adapter-status.entity';
import { Cluster } from './clusters/cluster.entity';
import { GenericResource } from './resources/generic-resource.entity';
import { Label } from './labels/label.entity';
import { NodePool } from './node-pools/node-pool.entity';
import { ResourceReference } from './references/resource-reference.entity';

/**
 * Entities whose removed rows (`deleted_at` set) are hidden from every `em` read and every statement
 * the LiveRowsPlugin builds (live-rows.ts holds the one definition, the filter and the plugin).
 */
export const SOFT_DELETABLE_ENTITIES = [Cluster, NodePool, GenericResource, AdapterStatus, Label, ResourceReference] as const;
