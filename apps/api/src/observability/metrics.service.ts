import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { APP_CONFIG, AppConfig } from '@app/config';

/** The Prometheus registry of one API process (own registry, so several apps can share a process in tests). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'path' | 'code'>;
  readonly duration: Histogram<'method' | 'path' | 'code'>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const { version, commit } = config.build;
    this.registry.setDefaultLabels({ component: 'api', version });
    collectDefaultMetrics({ register: this.registry, prefix: 'hyperfleet_api_' });
    this.requests = new Counter({ name: 'hyperfleet_api_requests_total', help: 'HTTP requests served, by method, route template and status code', labelNames: ['method', 'path', 'code'], registers: [this.registry] });
    this.duration = new Histogram({
      name: 'hyperfleet_api_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route template and status code',
      labelNames: ['method', 'path', 'code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    const info = new Gauge({ name: 'hyperfleet_api_build_info', help: 'Build information; always 1', labelNames: ['commit', 'node_version'], registers: [this.registry] });
    info.set({ commit, node_version: process.version }, 1);
  }

  observe(method: string, path: string, code: number, seconds: number): void {
    const labels = { method, path, code: String(code) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
