import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { KindIs, RequiredObject, ResourceName } from '../../resources/dto/validators';

/** Request body of `POST /clusters/{cluster_id}/nodepools`. Unknown properties are ignored. */
export class CreateNodePoolDto {
  /** Ignored: the server assigns ids. */
  @IsOptional()
  id?: string;
  /** Must be `NodePool`. */
  @KindIs('NodePool')
  kind: string;
  /** Ignored: the server assigns hrefs. */
  @IsOptional()
  href?: string;
  /** NodePool name, unique among the cluster's node pools not marked for deletion: 3–15 lowercase letters, digits and inner hyphens. */
  @ApiProperty({ minLength: 3, maxLength: 15, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' })
  @ResourceName(3, 15)
  name: string;
  /** Provider-specific specification; any JSON object. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  @RequiredObject('spec')
  spec: Record<string, unknown>;
  /** Kubernetes-style labels: keys `[prefix/]name`, values up to 63 characters. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  labels?: Record<string, string>;
}
