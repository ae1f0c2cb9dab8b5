import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsOptional, ValidateBy } from 'class-validator';
import { IsJsonObject, IsPresent, MaxCodePoints, RequiredIntAtLeast, RequiredString } from '../../kinds/dto/validators';
import { conditionsProblem, observedTimeProblem } from './status-rules';

/** One condition as an adapter reports it. */
@ApiSchema({ name: 'ConditionRequest' })
export class ConditionRequestDto {
  /** Condition type, e.g. `Available`, `Applied`, `Health`, `Finalized`. */
  type: string;
  @ApiProperty({ enum: ['True', 'False', 'Unknown'], enumName: 'AdapterConditionStatus' })
  status: 'True' | 'False' | 'Unknown';
  /** Machine-readable reason code. */
  reason?: string;
  /** Human-readable message. */
  message?: string;
}

/** Job execution metadata of a report. */
@ApiSchema({ name: 'AdapterStatusMetadata' })
export class AdapterStatusMetadataDto {
  job_name?: string;
  job_namespace?: string;
  @ApiPropertyOptional({ type: 'integer', format: 'int32' })
  attempt?: number;
  @ApiPropertyOptional({ format: 'date-time' })
  started_time?: string;
  @ApiPropertyOptional({ format: 'date-time' })
  completed_time?: string;
  duration?: string;
}

/** Body of an adapter's status report (`PUT …/statuses`; `POST` is accepted for older adapters). */
@ApiSchema({ name: 'AdapterStatusCreateRequest' })
export class AdapterStatusCreateDto {
  /** Adapter name, e.g. `validation`, `dns` (at most 255 characters). */
  @RequiredString('adapter', MaxCodePoints(255, 'adapter must be at most 255 characters'))
  adapter: string;

  /** Generation of the resource this report is about (≥ 1). Reports for a newer generation than the resource's are discarded (204). */
  @ApiProperty({ type: 'integer', format: 'int32', minimum: 1 })
  @RequiredIntAtLeast('observed_generation', 1)
  observed_generation: number;

  /** Conditions; every report must contain `Available`, `Applied` and `Health`. Types are unique; status is `True`, `False` or `Unknown`. */
  @ApiProperty({ type: () => [ConditionRequestDto] })
  @IsPresent('conditions are required')
  @ValidateBy({ name: 'isArray', validator: { validate: (v: unknown) => conditionsProblem(v) === undefined, defaultMessage: (a) => conditionsProblem(a?.value) ?? 'invalid conditions' } })
  conditions: ConditionRequestDto[];

  /**
   * When the adapter observed the resource (RFC 3339); becomes the status's `last_report_time`. At most 5 minutes
   * ahead of and 30 minutes behind the server's clock. Required by the contract; for older adapters that omit it the
   * server's time is used.
   */
  @ApiProperty({ format: 'date-time' })
  @ValidateBy({ name: 'isRFC3339', validator: { validate: (v: unknown) => observedTimeProblem(v) === undefined, defaultMessage: (a) => observedTimeProblem(a?.value) ?? 'invalid observed_time' } })
  observed_time: string;

  /** Adapter-specific data; any JSON object. */
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsJsonObject("field 'data' must be an object")
  data?: Record<string, unknown>;

  /** Job execution metadata. */
  @ApiPropertyOptional({ type: () => AdapterStatusMetadataDto })
  @IsOptional()
  @IsJsonObject("field 'metadata' must be an object")
  metadata?: Record<string, unknown>;
}
