import { API_PREFIX } from '../openapi/openapi';

/** The answer at `/` and at `/api/hyperfleet/v1`: what this is, and where to start. */
export interface ApiRoot {
  id: 'hyperfleet';
  kind: 'APIRoot';
  version: string;
  href: string;
  /** Links (paths on this server) to the API, its OpenAPI document, Swagger UI and the metadata. */
  links: { api: string; openapi: string; swagger_ui: string; metadata: string };
}

/** The root document of a server of this `version` (links are paths on the same server). */
export function apiRoot(version: string): ApiRoot {
  const api = `/${API_PREFIX}`;
  return { id: 'hyperfleet', kind: 'APIRoot', version, href: api, links: { api, openapi: `${api}/openapi`, swagger_ui: `${api}/openapi.html`, metadata: '/api/hyperfleet' } };
}
