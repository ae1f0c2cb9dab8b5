import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DeadlineInterceptor } from './deadline.interceptor';
import { MetricsService } from './metrics.service';
import { ReconciliationStats } from './reconciliation-stats';

@Global()
@Module({ providers: [MetricsService, ReconciliationStats, { provide: APP_INTERCEPTOR, useClass: DeadlineInterceptor }], exports: [MetricsService] })
export class ObservabilityModule {}
