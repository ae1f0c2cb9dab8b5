import { OwnerType } from '@app/persistence';

export const API_BASE = '/api/hyperfleet/v1';

/** What differs between the resource kinds; everything else about them is shared. */
export interface ResourceKind {
  kind: OwnerType;
  listKind: string;
  nameMin: number;
  nameMax: number;
}

export const CLUSTER: ResourceKind = { kind: 'Cluster', listKind: 'ClusterList', nameMin: 3, nameMax: 53 };
export const NODE_POOL: ResourceKind = { kind: 'NodePool', listKind: 'NodePoolList', nameMin: 3, nameMax: 15 };

export const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const NAME_PATTERN_MESSAGE = 'name must start and end with lowercase letter or number, and contain only lowercase letters, numbers, and hyphens';

export const clusterHref = (id: string): string => `${API_BASE}/clusters/${id}`;
export const nodePoolHref = (clusterId: string, id: string): string => `${API_BASE}/clusters/${clusterId}/nodepools/${id}`;

/** Wire names a list can be ordered by → entity properties (kind is constant; href orders like id). */
export const ORDERABLE: Record<string, string> = {
  id: 'id',
  href: 'id',
  kind: 'id',
  name: 'name',
  generation: 'generation',
  created_time: 'createdTime',
  updated_time: 'updatedTime',
  deleted_time: 'deletedTime',
  created_by: 'createdBy',
  updated_by: 'updatedBy',
  deleted_by: 'deletedBy',
};

export const NODE_POOL_ORDERABLE: Record<string, string> = { ...ORDERABLE, owner_id: 'cluster', owner_href: 'cluster', owner_kind: 'id' };
