import { ListEnvelopeResponse } from '../../resources/dto/list-envelope.response';
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
export class ClusterListResponse extends ListEnvelopeResponse {
  @ApiProperty({ type: () => [ClusterResponse] })
  items: ClusterResponse[];
}
