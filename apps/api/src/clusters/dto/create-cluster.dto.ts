import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { KindIs, RequiredObject, ResourceName } from '../../resources/dto/validators';

/** Request body of `POST /clusters`. Unknown properties are ignored. */
export class CreateClusterDto {
  /** Ignored: the server assigns ids. */
  @IsOptional()
  id?: string;
  /** Must be `Cluster`. */
  @KindIs('Cluster')
  kind: string;
  /** Ignored: the server assigns hrefs. */
  @IsOptional()
  href?: string;
  /** Cluster name, unique among clusters not marked for deletion: 3–53 lowercase letters, digits and inner hyphens. */
  @ApiProperty({ minLength: 3, maxLength: 53, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' })
  @ResourceName(3, 53)
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
