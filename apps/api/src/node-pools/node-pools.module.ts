import { Module } from '@nestjs/common';
import { ClustersModule } from '../clusters/clusters.module';
import { ResourcesModule } from '../resources/resources.module';
import { NodePoolsController } from './node-pools.controller';
import { NodePoolsService } from './node-pools.service';

@Module({ imports: [ResourcesModule, ClustersModule], controllers: [NodePoolsController], providers: [NodePoolsService], exports: [NodePoolsService] })
export class NodePoolsModule {}
