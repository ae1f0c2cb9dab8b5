import type { ResourceKind } from '@app/config';
import type { RouteShape } from '../kinds/kind-routes';
import type { StatusRouteDocs } from './status-routes';

/** The built-in kinds' status routes, with the reference contract's operation ids (POST: older adapters). */
const BUILT_IN: Record<string, StatusRouteDocs> = {
  Cluster: {
    tag: 'statuses',
    put: { operationId: 'putClusterStatuses', summary: 'Report an adapter status for a cluster' },
    post: { operationId: 'postClusterStatuses', summary: 'Report an adapter status for a cluster (older adapters)' },
    list: { operationId: 'getClusterStatuses', summary: "List a cluster's adapter statuses" },
  },
  NodePool: {
    tag: 'statuses',
    put: { operationId: 'putNodePoolStatuses', summary: 'Report an adapter status for a node pool' },
    post: { operationId: 'postNodePoolStatuses', summary: 'Report an adapter status for a node pool (older adapters)' },
    list: { operationId: 'getNodePoolsStatuses', summary: "List a node pool's adapter statuses" },
  },
};

/** The documentation of a kind's status routes in one shape: the built-ins' names, generated ones for the others (`Flat` for a child kind's flat routes). */
export function statusDocs(kind: ResourceKind, shape: RouteShape): StatusRouteDocs {
  const flat = shape === 'flat' ? 'Flat' : '';
  const known = shape !== 'flat' ? BUILT_IN[kind.kind] : undefined;
  if (known) return known;
  const by = shape === 'flat' ? ' by its id alone' : '';
  return {
    tag: 'statuses',
    put: { operationId: `put${kind.kind}Statuses${flat}`, summary: `Report an adapter status for a ${kind.kind}${by}` },
    post: { operationId: `post${kind.kind}Statuses${flat}`, summary: `Report an adapter status for a ${kind.kind}${by} (older adapters)` },
    list: { operationId: `get${kind.kind}Statuses${flat}`, summary: `List a ${kind.kind}'s adapter statuses${by}` },
  };
}
