import { ApiProperty } from '@nestjs/swagger';
import { ObjectReferenceResponse } from '../../resources/dto/resource-condition.response';
import { ResourceResponse } from '../../resources/dto/resource.response';

/** A node pool. */
export class NodePoolResponse extends ResourceResponse {
  /** Always `NodePool`. */
  declare kind: string;
  /** NodePool name (unique within its cluster among node pools not marked for deletion). */
  @ApiProperty({ minLength: 3, maxLength: 15, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' })
  declare name: string;
  /** The owning cluster. */
  owner_references: ObjectReferenceResponse;
}

/** A page of node pools. */
export class NodePoolListResponse {
  /** Always `NodePoolList` (kept for older clients). */
  kind: string;
  /** The page returned. */
  @ApiProperty({ type: 'integer', format: 'int32' })
  page: number;
  /** Number of items in this page. */
  @ApiProperty({ type: 'integer', format: 'int32' })
  size: number;
  /** Number of all matching node pools. */
  @ApiProperty({ type: 'integer', format: 'int32' })
  total: number;
  @ApiProperty({ type: () => [NodePoolResponse] })
  items: NodePoolResponse[];
}
