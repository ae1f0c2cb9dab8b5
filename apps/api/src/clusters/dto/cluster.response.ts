import { ApiProperty } from '@nestjs/swagger';
import { ResourceResponse } from '../../resources/dto/resource.response';

/** A cluster. */
export class ClusterResponse extends ResourceResponse {
  /** Always `Cluster`. */
  declare kind: string;
  /** Cluster name (unique among clusters not marked for deletion). */
  @ApiProperty({ minLength: 3, maxLength: 53, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' })
  declare name: string;
}

/** A page of clusters. */
export class ClusterListResponse {
  /** Always `ClusterList` (kept for older clients). */
  kind: string;
  /** The page returned. */
  @ApiProperty({ type: 'integer', format: 'int32' })
  page: number;
  /** Number of items in this page. */
  @ApiProperty({ type: 'integer', format: 'int32' })
  size: number;
  /** Number of all matching clusters. */
  @ApiProperty({ type: 'integer', format: 'int32' })
  total: number;
  @ApiProperty({ type: () => [ClusterResponse] })
  items: ClusterResponse[];
}
