import { Module } from '@nestjs/common';
import { ConditionsModule } from '../conditions/conditions.module';
import { LabelsModule } from '../labels/labels.module';
import { ResourceLifecycle } from './resource-lifecycle.service';

@Module({ imports: [LabelsModule, ConditionsModule], providers: [ResourceLifecycle], exports: [ResourceLifecycle, LabelsModule, ConditionsModule] })
export class ResourcesModule {}
