import { Module } from '@nestjs/common';
import { ConditionsModule } from '../conditions/conditions.module';
import { LabelsModule } from '../labels/labels.module';
import { KindsService } from './kinds.service';
import { ReferencesService } from './references.service';

/** The shared kind engine: the lifecycle every kind's routes call (KindsService) and its references. */
@Module({ imports: [LabelsModule, ConditionsModule], providers: [KindsService, ReferencesService], exports: [KindsService, ConditionsModule] })
export class KindsModule {}
