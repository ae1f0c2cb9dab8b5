import { loadConfig } from '@app/config';
import { listeningBanner, serviceUrls } from './listening';

describe(listeningBanner.name, () => {
  it('names the API, Swagger UI, OpenAPI, health and metrics addresses and where the data is', () => {
    const config = loadConfig({ HYPERFLEET_DATA_DIR: '/srv/hf', HYPERFLEET_BUILD_VERSION: '1.2.3' }, []);
    expect(listeningBanner(config, { api: 8000, health: 8080, metrics: 9090 }).split('\n')).toEqual([
      'HyperFleet API 1.2.3 is ready',
      '  API         http://127.0.0.1:8000/api/hyperfleet/v1',
      '  Swagger UI  http://127.0.0.1:8000/api/hyperfleet/v1/openapi.html',
      '  OpenAPI     http://127.0.0.1:8000/api/hyperfleet/v1/openapi',
      '  health      http://127.0.0.1:8080/healthz  http://127.0.0.1:8080/readyz',
      '  metrics     http://127.0.0.1:9090/metrics',
      '  database    embedded PostgreSQL, files in /srv/hf',
      '  Ctrl-C stops it; `npm run demo` adds a small example fleet.',
    ]);
  });

  it('shows a configured database without its password', () => {
    const config = loadConfig({ HYPERFLEET_DATABASE_URL: 'postgres://hf:secret@db:5432/hyperfleet' }, []);
    const banner = listeningBanner(config, { api: 8000, health: 8080, metrics: 9090 });
    expect(banner).toContain('database    postgres://hf:***@db:5432/hyperfleet');
    expect(banner).not.toContain('secret');
  });
});

describe(serviceUrls.name, () => {
  it('links a wildcard address through the loopback one and bracket IPv6 hosts', () => {
    const config = loadConfig({ HYPERFLEET_SERVER_HOST: '0.0.0.0', HYPERFLEET_HEALTH_HOST: '::', HYPERFLEET_METRICS_HOST: '::1' }, []);
    expect(serviceUrls(config, { api: 1, health: 2, metrics: 3 })).toEqual({
      api: 'http://127.0.0.1:1/api/hyperfleet/v1',
      swagger_ui: 'http://127.0.0.1:1/api/hyperfleet/v1/openapi.html',
      openapi: 'http://127.0.0.1:1/api/hyperfleet/v1/openapi',
      health: 'http://[::1]:2/readyz',
      liveness: 'http://[::1]:2/healthz',
      metrics: 'http://[::1]:3/metrics',
    });
  });
});
