import type { KindRegistry } from '@app/config';
import { DynamicModule, Module } from '@nestjs/common';
import { kindRoutes } from '../kinds/kind-routes';
import { KindsModule } from '../kinds/kinds.module';
import { CLUSTER_DOCS } from './cluster.docs';

/** Clusters: the built-in root kind `Cluster` on the shared kind engine, under the reference's paths and names. */
@Module({})
export class ClustersModule {
  static forRoot(kinds: KindRegistry): DynamicModule {
    return { module: ClustersModule, imports: [KindsModule], controllers: [kindRoutes(kinds.get('Cluster')!, 'root', CLUSTER_DOCS)] };
  }
}
