import { JsonParts, pageJson } from '@app/common';
import type { NodePool } from '@app/persistence';
import { RenderedPage, ResourceView } from '../resources/resource-lifecycle.service';
import { CLUSTER, clusterHref, NODE_POOL, nodePoolHref } from '../resources/resource-kind';
import { presentResource } from '../resources/resource.presenter';
import { NodePoolListResponse, NodePoolResponse } from './dto/node-pool.response';

export function presentNodePool({ row, labels }: ResourceView<NodePool>): NodePoolResponse {
  const clusterId = row.cluster.id;
  return {
    ...presentResource(NODE_POOL.kind, nodePoolHref(clusterId, row.id), row, labels),
    owner_references: { id: clusterId, kind: CLUSTER.kind, href: clusterHref(clusterId) },
  };
}

/** A list page whose items PostgreSQL rendered (resource.sql-presenter.ts), in pieces for sendJson. */
export function presentNodePoolPage(page: RenderedPage): JsonParts<NodePoolListResponse> {
  return pageJson<NodePoolResponse>(NODE_POOL.listKind, page.page, page.total, page.items);
}
