import type { ResourceKind } from '@app/config';
import type { Type } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsJsonObject } from './validators';

/**
 * Request body of `PATCH` on a resource: at least one of `spec`, `labels` (and `references`, for a kind
 * that declares reference types); each replaces the stored value whole; any other property is rejected.
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
  /** Replaces the whole set of references (`{}` clears them); kinds with reference types only. */
  references?: Record<string, unknown>;
}

/** A PATCH body of a kind with reference types. */
class PatchWithReferencesDto extends PatchResourceDto {
  @IsOptional()
  @IsJsonObject("field 'references' must be an object")
  override references?: Record<string, unknown>;
}

/** The PATCH DTO of a kind: `references` is a known field only where the kind declares reference types. */
export function patchDtoFor(kind: ResourceKind): Type<PatchResourceDto> {
  return kind.references.length ? PatchWithReferencesDto : PatchResourceDto;
}

/** The fields a PATCH of the kind may have (any other is 400 VAL-006). */
export function patchFieldsOf(kind: ResourceKind): readonly string[] {
  return kind.references.length ? ['spec', 'labels', 'references'] : ['spec', 'labels'];
}
