import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Query parameters of every resource list. */
export class ListQueryParams {
  /** Filter expression (see README "Searching"). Not available yet: any non-empty value is rejected with 400. */
  @ApiPropertyOptional()
  search?: string;
  /** Page number, 1–100000. */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 100000, default: 1 })
  page?: number;
  /** Items per page, 1–100. */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 100, default: 20 })
  size?: number;
  /** Comma-separated `field [asc|desc]` items, e.g. `name asc,created_time desc`; `id` breaks ties. */
  @ApiPropertyOptional({ default: 'created_time desc' })
  order?: string;
  /** Deprecated alias of `size` (clamped to 1–100); the answer carries `Deprecation: true`. */
  @ApiPropertyOptional({ deprecated: true, type: 'integer' })
  pageSize?: number;
  /** Deprecated alias of `order`; the answer carries `Deprecation: true`. */
  @ApiPropertyOptional({ deprecated: true })
  orderBy?: string;
}
