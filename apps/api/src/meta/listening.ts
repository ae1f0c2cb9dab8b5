import type { LogFormat, Logger } from '@app/common';
import { AppConfig, maskUrl } from '@app/config';
import { API_PREFIX } from '../openapi/openapi';

/** The ports the three listeners actually bound (a configured 0 picks a free one). */
export interface BoundPorts {
  api: number;
  health: number;
  metrics: number;
}

/** A host to put in a link: a wildcard address is reached through the loopback one; IPv6 goes in brackets. */
function linkHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Where everything is served, as absolute links. */
export function serviceUrls(config: AppConfig, ports: BoundPorts) {
  const api = `http://${linkHost(config.server.host)}:${ports.api}`;
  const health = `http://${linkHost(config.health.host)}:${ports.health}`;
  return {
    api: `${api}/${API_PREFIX}`,
    swagger_ui: `${api}/${API_PREFIX}/openapi.html`,
    openapi: `${api}/${API_PREFIX}/openapi`,
    health: `${health}/readyz`,
    liveness: `${health}/healthz`,
    metrics: `http://${linkHost(config.metrics.host)}:${ports.metrics}/metrics`,
  };
}

/** The start-up banner of the text log format: what is where, in a few lines. */
export function listeningBanner(config: AppConfig, ports: BoundPorts): string {
  const urls = serviceUrls(config, ports);
  const database = config.database.embedded ? `embedded PostgreSQL, files in ${config.database.dataDir}` : maskUrl(config.database.url ?? '');
  const rows: [string, string][] = [
    ['API', urls.api],
    ['Swagger UI', urls.swagger_ui],
    ['OpenAPI', urls.openapi],
    ['health', `${urls.liveness}  ${urls.health}`],
    ['metrics', urls.metrics],
    ['database', database],
  ];
  return [`HyperFleet API ${config.build.version} is ready`, ...rows.map(([name, value]) => `  ${name.padEnd(11)} ${value}`), '  Ctrl-C stops it; `npm run demo` adds a small example fleet.'].join('\n');
}

/**
 * Announces that the API serves. The JSON format writes one line, `HyperFleet API listening on …`, with the
 * links and the bound ports as fields (tests and operators read them); the text format writes the banner.
 */
export function announceListening(logger: Logger, format: LogFormat, config: AppConfig, ports: BoundPorts): void {
  if (format === 'text') {
    logger.info(listeningBanner(config, ports));
    return;
  }
  const urls = serviceUrls(config, ports);
  logger.info(
    { ...urls, api_port: ports.api, health_port: ports.health, metrics_port: ports.metrics },
    `HyperFleet API listening on http://${config.server.host}:${ports.api}`,
  );
}
