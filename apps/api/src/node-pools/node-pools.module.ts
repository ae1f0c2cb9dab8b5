import type { KindRegistry } from '@app/config';
import { DynamicModule, Module } from '@nestjs/common';
import { kindRoutes } from '../kinds/kind-routes';
import { KindsModule } from '../kinds/kinds.module';
import { NODE_POOL_DOCS, NODE_POOL_FLAT_DOCS } from './node-pool.docs';

/**
 * Node pools: the built-in child kind `NodePool` on the shared kind engine, under its cluster
 * (`/clusters/{cluster_id}/nodepools/{nodepool_id}`, the reference's) and flat (`/nodepools/{nodepool_id}`).
 */
@Module({})
export class NodePoolsModule {
  static forRoot(kinds: KindRegistry): DynamicModule {
    const nodePool = kinds.get('NodePool')!;
    return { module: NodePoolsModule, imports: [KindsModule], controllers: [kindRoutes(nodePool, 'nested', NODE_POOL_DOCS), kindRoutes(nodePool, 'flat', NODE_POOL_FLAT_DOCS)] };
  }
}
