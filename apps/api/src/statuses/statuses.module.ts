import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { NodePoolsModule } from '../node-pools/node-pools.module';
import { ResourcesModule } from '../resources/resources.module';
import { StatusesController } from './statuses.controller';
import { StatusesService } from './statuses.service';

@Module({ imports: [ResourcesModule, ClustersModule, NodePoolsModule], controllers: [StatusesController], providers: [StatusesService] })
export class StatusesModule {}
