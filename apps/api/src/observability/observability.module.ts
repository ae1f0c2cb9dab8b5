import { Global, Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';
import { ReconciliationStats } from './reconciliation-stats';

@Global()
@Module({ providers: [MetricsService, ReconciliationStats], exports: [MetricsService] })
export class ObservabilityModule {}
