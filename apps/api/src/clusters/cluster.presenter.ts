import { JsonParts, pageJson } from '@app/common';
import type { Cluster } from '@app/persistence';
import { RenderedPage, ResourceView } from '../resources/resource-lifecycle.service';
import { CLUSTER, clusterHref } from '../resources/resource-kind';
import { presentResource } from '../resources/resource.presenter';
import { ClusterListResponse, ClusterResponse } from './dto/cluster.response';

export function presentCluster({ row, labels }: ResourceView<Cluster>): ClusterResponse {
  return presentResource(CLUSTER.kind, clusterHref(row.id), row, labels);
}

/** A list page whose items PostgreSQL rendered (resource.sql-presenter.ts), in pieces for sendJson. */
export function presentClusterPage(page: RenderedPage): JsonParts<ClusterListResponse> {
  return pageJson<ClusterResponse>(CLUSTER.listKind, page.page, page.total, page.items);
}
