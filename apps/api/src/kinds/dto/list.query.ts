import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** Query parameters of every resource list. */
export class ListQueryParams {
  /**
   * Filter expression. Examples: `labels.env='prod'`, `labels.region in ('eu-west-1','eu-west-2')`,
   * `status.conditions.Reconciled='False'`, `spec.replicas >= 3 and name like 'prod-%'`, `owner_id='<cluster id>'` (node pools),
   * `deleted_time is not null`, `generation > 1 and not (name = 'x')`. Fields: columns (`id`, `name`, `generation`, `created_time`, …),
   * `labels.<key>`, `spec.<path>`, `status.conditions.<Type>[.observed_generation|.last_updated_time|.last_transition_time]`.
   * Operators: `= != < <= > >=`, `[not] in (…)` or `[…]`, `[not] like`, `ilike`, `[not] between … and …`, `is [not] null`, `and`, `or`, `not`,
   * parentheses. Errors are 400 HYPERFLEET-VAL-005 with the position. At most 4096 characters.
   */
  @ApiPropertyOptional({ maxLength: 4096 })
  search?: string;
  /** Page number, 1–100000. */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 100000, default: 1 })
  page?: number;
  /** Items per page, 1–100 (the largest is `list.max_size`, HYPERFLEET_LIST_MAX_SIZE, default 100, up to 500). */
  @ApiPropertyOptional({ type: 'integer', format: 'int32', minimum: 1, maximum: 100, default: 20 })
  size?: number;
  /** Comma-separated `field [asc|desc]` items, e.g. `name asc,created_time desc`; `id` breaks ties. */
  @ApiPropertyOptional({ default: 'created_time desc' })
  order?: string;
  /** Deprecated alias of `size` (clamped to 1–100, or `list.max_size`); the answer carries `Deprecation: true`. */
  @ApiPropertyOptional({ deprecated: true, type: 'integer' })
  pageSize?: number;
  /** Deprecated alias of `order`; the answer carries `Deprecation: true`. */
  @ApiPropertyOptional({ deprecated: true })
  orderBy?: string;
}
