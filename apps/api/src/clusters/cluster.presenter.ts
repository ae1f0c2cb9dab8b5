import { pageOf } from '@app/common';
import type { Cluster } from '@app/persistence';
import { PageView, ResourceView } from '../resources/resource-lifecycle.service';
import { CLUSTER, clusterHref } from '../resources/resource-kind';
import { presentResource } from '../resources/resource.presenter';
import { ClusterListResponse, ClusterResponse } from './dto/cluster.response';

export function presentCluster({ row, labels }: ResourceView<Cluster>): ClusterResponse {
  return presentResource(CLUSTER.kind, clusterHref(row.id), row, labels);
}

export function presentClusterPage(page: PageView<Cluster>): ClusterListResponse {
  return pageOf(CLUSTER.listKind, page.page, page.total, page.items.map(presentCluster));
}
