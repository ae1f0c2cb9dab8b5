import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsJsonObject } from './validators';

/**
 * Request body of `PATCH` on a cluster or node pool: at least one of `spec`, `labels`; each replaces the
 * stored value whole; any other property is rejected.
 */
export class PatchResourceDto {
  /** Replaces the whole spec. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsJsonObject('spec field must be an object')
  spec?: Record<string, unknown>;
  /** Replaces the whole label set (`{}` clears it). */
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  labels?: Record<string, string>;
}

export const PATCH_FIELDS = ['spec', 'labels'] as const;
