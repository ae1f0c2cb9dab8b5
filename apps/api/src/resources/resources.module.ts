import type { KindRegistry } from '@app/config';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { defaultRouteDocs } from '../kinds/kind-docs';
import { kindRoutes } from '../kinds/kind-routes';
import { KindsModule } from '../kinds/kinds.module';
import { StatusReportsModule } from '../statuses/statuses.module';
import { GenericResourcesController } from './generic-resources.controller';

/**
 * The kinds the configuration declares (CONTRACT D13), each with the whole route set under its plural
 * (a child kind also under its parent's item path), and the generic `/resources` API over every kind.
 */
@Module({})
export class ResourcesModule {
  static forRoot(kinds: KindRegistry): DynamicModule {
    const controllers: Type[] = [GenericResourcesController];
    for (const kind of kinds.all()) {
      if (kind.builtIn) continue;
      if (kind.parent) controllers.push(kindRoutes(kind, 'nested', defaultRouteDocs(kind, 'nested')), kindRoutes(kind, 'flat', defaultRouteDocs(kind, 'flat')));
      else controllers.push(kindRoutes(kind, 'root', defaultRouteDocs(kind, 'root')));
    }
    return { module: ResourcesModule, imports: [KindsModule, StatusReportsModule], controllers };
  }
}
