import { AdapterStatus } from './statuses/adapter-status.entity';
import { Cluster } from './clusters/cluster.entity';
import { Label } from './labels/label.entity';
import { NodePool } from './node-pools/node-pool.entity';

// the filter, the live-row definition and the Kysely plugin live in live-rows.ts; exported here too, where they were
export * from './live-rows';

/** Entities whose removed rows (`deleted_at` set) are hidden from every `em` read. */
export const SOFT_DELETABLE_ENTITIES = [Cluster, NodePool, AdapterStatus, Label] as const;
