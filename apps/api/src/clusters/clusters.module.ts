import { Module } from '@nestjs/common';
import { ResourcesModule } from '../resources/resources.module';
import { ClustersController } from './clusters.controller';
import { ClustersService } from './clusters.service';

@Module({ imports: [ResourcesModule], controllers: [ClustersController], providers: [ClustersService], exports: [ClustersService] })
export class ClustersModule {}
