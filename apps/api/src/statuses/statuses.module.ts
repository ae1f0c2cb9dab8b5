import type { KindRegistry } from '@app/config';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { ConditionsModule } from '../conditions/conditions.module';
import { statusDocs } from './status.docs';
import { statusRoutes } from './status-routes';
import { StatusesService } from './statuses.service';

/** Status reports and lists of every kind (StatusesService), for the modules that serve them. */
@Module({ imports: [ConditionsModule], providers: [StatusesService], exports: [StatusesService] })
export class StatusReportsModule {}

/** Adapter statuses of every kind: `GET|PUT|POST …/statuses` under each kind's item paths (nested and flat for child kinds). */
@Module({})
export class StatusesModule {
  static forRoot(kinds: KindRegistry): DynamicModule {
    const controllers: Type[] = [];
    for (const kind of kinds.all()) {
      if (kind.parent) controllers.push(statusRoutes(kind, 'nested', statusDocs(kind, 'nested')), statusRoutes(kind, 'flat', statusDocs(kind, 'flat')));
      else controllers.push(statusRoutes(kind, 'root', statusDocs(kind, 'root')));
    }
    return { module: StatusesModule, imports: [StatusReportsModule], controllers };
  }
}
