import { ListEnvelopeResponse } from '../../resources/dto/list-envelope.response';
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
export class NodePoolListResponse extends ListEnvelopeResponse {
  @ApiProperty({ type: () => [NodePoolResponse] })
  items: NodePoolResponse[];
}
