import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ResourceStatusResponse } from './resource-condition.response';

/** Fields every cluster and node pool body carries. */
export class ResourceResponse {
  /** Resource identifier (UUIDv7). */
  id: string;
  /** Resource kind. */
  kind: string;
  /** Resource URI. */
  href: string;
  name: string;
  /** Provider-specific specification; any JSON object. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  spec: Record<string, unknown>;
  /** Labels as key/value strings; omitted when the resource has none. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  labels?: Record<string, string>;
  /** Incremented on every change of spec or labels, and once when deletion is requested. */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1 })
  generation: number;
  status: ResourceStatusResponse;
  /** When the resource was created. */
  @ApiProperty({ format: 'date-time' })
  created_time: string;
  /** When the resource was last changed. */
  @ApiProperty({ format: 'date-time' })
  updated_time: string;
  /** Identity that created the resource. */
  created_by: string;
  /** Identity that last changed the resource. */
  updated_by: string;
  /** When deletion was requested; omitted if not marked for deletion. */
  @ApiPropertyOptional({ format: 'date-time' })
  deleted_time?: string;
  /** Identity that requested deletion; omitted if not marked for deletion. */
  deleted_by?: string;
}
